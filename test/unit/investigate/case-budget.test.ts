import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargeQuery } from '../../../src/investigate/budget/query-budget.js';
import { probingFlags } from '../../../src/investigate/budget/probing.js';
import { investigationPolicySchema } from '../../../src/federation/membership/schema.js';
import { migrate } from '../../../src/store/migrate.js';
import { createTestDatabase } from '../../support/postgres.js';

describe('investigation budget (real PostgreSQL)', () => {
  let sql: postgres.Sql;
  const now = new Date('2026-11-27T12:00:00Z');

  beforeAll(async () => {
    sql = postgres(await createTestDatabase('budget'), { max: 8, onnotice: () => undefined });
    await migrate(sql);
  });
  afterAll(() => sql.end());

  it('never lets concurrent queries pass the daily limit, and a refused query counts nothing', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => sql.begin((tx) => chargeQuery(tx, { provider: 'p1', cost: 7, missed: true, limit: 50, now }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused).toHaveLength(13);
    expect(refused[0]!.reason).toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(/'p1' has queried 49 of its 50 tokens for 2026-11-27/) });
    const [row] = await sql<{ tokens: number; queries: number; misses: number }[]>`SELECT tokens::int, queries::int, misses::int FROM investigation_usage WHERE provider_id = 'p1'`;
    expect(row).toEqual({ tokens: 49, queries: 7, misses: 7 });
  });

  it('resets at 00:00 UTC and counts the probing window across days', async () => {
    const tomorrow = new Date('2026-11-28T00:00:01Z');
    const grant = await sql.begin((tx) => chargeQuery(tx, { provider: 'p1', cost: 50, missed: false, limit: 50, now: tomorrow }));
    expect(grant).toEqual({ day: '2026-11-28', used: 50, remaining: 0 });
    const policy = investigationPolicySchema.parse({ probing_min_queries: 8, probing_miss_ratio: 0.8 });
    // 7 misses of 8 queries over two days: 0.875 ≥ 0.8.
    expect((await probingFlags(sql, policy, tomorrow)).map((f) => [f.provider, f.queries, f.misses])).toEqual([['p1', 8, 7]]);
    // A week later the first day has left the window.
    expect(await probingFlags(sql, policy, new Date('2026-12-04T12:00:00Z'))).toEqual([]);
  });
});
