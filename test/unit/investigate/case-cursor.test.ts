import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as store from '../../../src/investigate/cases/store/case-store.js';
import { migrate } from '../../../src/store/migrate.js';
import { createTestDatabase } from '../../support/postgres.js';

/**
 * A member's case cursor counts its own cases only (real PostgreSQL): the
 * step between two of an opener's cases must not count the providers asked
 * in the first (never tell the opener who was asked), and concurrent cases
 * must still give each member unique cursors in commit order.
 */
describe('case listing cursors', () => {
  let sql: postgres.Sql;
  let n = 0;
  const open = async (opener: string, asked: string[]) => {
    const caseId = `cs-${(++n).toString(16).padStart(32, '0')}`;
    await sql.begin(async (tx) => {
      await store.insertCase(tx, { caseId, opener });
      await store.insertParticipants(tx, caseId, [{ member: opener, role: 'opener' }, ...asked.map((member) => ({ member, role: 'asked' as const, ownRecordIds: [`${member}-r`] }))]);
    });
    return caseId;
  };
  const cursorOf = async (member: string, caseId: string) => BigInt((await store.participation(sql, caseId, member))!.cursor);

  beforeAll(async () => {
    sql = postgres(await createTestDatabase('case_cursor'), { max: 8, onnotice: () => undefined });
    await migrate(sql);
  });
  afterAll(() => sql.end());

  it("steps an opener's cursor by one per case, whoever was asked", async () => {
    const a = await open('p1', ['p2', 'p3', 'p4']);
    const b = await open('p1', []);
    const c = await open('p1', ['p2']);
    expect([await cursorOf('p1', a), await cursorOf('p1', b), await cursorOf('p1', c)]).toEqual([1n, 2n, 3n]);
    expect([await cursorOf('p2', a), await cursorOf('p3', a), await cursorOf('p2', c)]).toEqual([1n, 1n, 2n]);
    expect((await store.participationsAfter(sql, 'p2', 1n, 10)).map((p) => [p.case_id, p.own_record_ids])).toEqual([[c, ['p2-r']]]);
  });

  it('gives concurrent cases unique cursors per member, without gaps', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => open(`q${i % 3}`, ['shared', `q${(i + 1) % 3}`])));
    const rows = await store.participationsAfter(sql, 'shared', 0n, 100);
    expect(rows.map((r) => r.cursor)).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
  });
});
