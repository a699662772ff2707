import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { openEmbeddedServer } from '../../src/store/embedded.js';

/**
 * The PostgreSQL a benchmark runs on: DATABASE_URL if set, else an embedded
 * server in tmp/NAME (started fresh). `database(name)` (re)creates an empty
 * database and returns its URL. Also points the test helpers
 * (createFederation) at the same server.
 */
export async function benchPostgres(name: string): Promise<{ url: string; database(db: string): Promise<string>; close(): Promise<void> }> {
  const dir = resolve(`tmp/${name}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const server = process.env.DATABASE_URL ? undefined : await openEmbeddedServer(dir);
  const url = process.env.DATABASE_URL ?? server!.url;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  process.env.CORDON_TEST_DATABASE_URL = url;
  return {
    url,
    async database(db) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${db}`);
      await admin.unsafe(`CREATE DATABASE ${db}`);
      const u = new URL(url);
      u.pathname = `/${db}`;
      return u.toString();
    },
    async close() {
      await admin.end();
      await server?.stop();
    },
  };
}
