import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/store/unavailable.js';
import { createTestDatabase } from '../support/postgres.js';

/**
 * patches/postgres+3.4.9.patch repairs two faults of postgres.js 3.4.9 that
 * a PostgreSQL restart under load hit (test/integration/postgres-restart.test.ts
 * shows both end to end). This is the sharper one, shown on a real server by
 * killing a backend mid-transaction: a transaction whose connection dies must
 * run nothing more anywhere. Unpatched, the rest of its callback ran on the
 * replacement connection in autocommit (porsager/postgres#1216), which once
 * left a chain head past a batch that was never stored. (The other: a write
 * scheduled as the connection closed threw from a timer and killed the
 * process, #1154 and #1208.)
 */
describe('postgres.js under a dying connection (patched)', () => {
  let url: string;
  let sql: postgres.Sql;
  let admin: postgres.Sql;

  beforeAll(async () => {
    url = await createTestDatabase('driver');
    admin = postgres(url, { max: 1, onnotice: () => undefined });
    await admin`CREATE TABLE t (id int PRIMARY KEY)`;
  });

  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await admin?.end({ timeout: 1 });
  });

  it('runs nothing of a transaction after its connection dies: not on the replacement, not in autocommit', async () => {
    // One connection: the query below waits for it, so the pool reconnects that very connection.
    sql = postgres(url, { max: 1, onnotice: () => undefined });
    let callbackDone!: () => void;
    const finished = new Promise<void>((r) => (callbackDone = r));
    let afterDeath: unknown = 'not reached';
    const tx = sql.begin(async (t) => {
      try {
        const [row] = await t<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        const pid = row!.pid;
        await t`INSERT INTO t VALUES (1)`;
        await admin`SELECT pg_terminate_backend(${pid})`;
        await sql`SELECT 1`.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
        afterDeath = await t`INSERT INTO t VALUES (2)`.then(() => 'inserted', (e: unknown) => e);
      } finally {
        callbackDone();
      }
    });
    await expect(tx).rejects.toSatisfy(isDatabaseUnavailable);
    await finished;
    expect(afterDeath).toSatisfy(isDatabaseUnavailable);
    expect(await admin`SELECT id FROM t ORDER BY id`).toEqual([]);
  });
});
