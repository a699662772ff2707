import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** URL of the test run's PostgreSQL server (see global-setup.ts). */
export function testServerUrl(): string {
  const url = process.env.CORDON_TEST_DATABASE_URL;
  if (!url) throw new Error('CORDON_TEST_DATABASE_URL is not set: run tests through vitest (test/support/global-setup.ts)');
  return url;
}

/** Creates a fresh, empty database on the test server and returns its URL. */
export async function createTestDatabase(prefix = 't'): Promise<string> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(testServerUrl(), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}
