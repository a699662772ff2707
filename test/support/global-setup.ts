import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedServer, type EmbeddedServer } from '../../src/store/embedded.js';

/**
 * One PostgreSQL server for the whole test run: an embedded one started here,
 * or the server DATABASE_URL names. Each test creates its own databases on it
 * (test/support/postgres.ts), so tests never see each other's rows.
 */
let server: EmbeddedServer | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.CORDON_TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  // Under the system temp directory: the server may run as an unprivileged
  // user, who must be able to reach its data directory wherever the checkout is.
  dir = await mkdtemp(join(tmpdir(), 'cordon-test-pg-'));
  await chmod(dir, 0o755);
  server = await openEmbeddedServer(dir);
  process.env.CORDON_TEST_DATABASE_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
