import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openEmbeddedServer, type EmbeddedServer } from '../../src/store/embedded.js';

/**
 * One PostgreSQL server for the whole test run: an embedded one started here,
 * or the server DATABASE_URL names. Each test creates its own databases on it
 * (test/support/postgres.ts), so tests never see each other's rows.
 */
let server: EmbeddedServer | undefined;

export async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.CORDON_TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = resolve('tmp/test-postgres');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  server = await openEmbeddedServer(dir);
  process.env.CORDON_TEST_DATABASE_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
