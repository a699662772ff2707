import type { TransactionSql } from 'postgres';
import { CordonError } from '../../errors.js';

/**
 * Each provider's daily investigation budget at one consortium node, in
 * tokens queried (DESIGN §6). Charged inside the transaction that stores the
 * case, in one conditional statement: a query that does not fit raises
 * RESOURCE_EXHAUSTED, the transaction rolls back and nothing of the query
 * is kept (no case, no count, no log entry). Each admitted query also
 * records whether it missed, for probing detection (probing.ts). Days are UTC.
 */
export interface QueryGrant {
  readonly day: string;
  /** Tokens counted today after this query. */
  readonly used: number;
  readonly remaining: number;
}

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export async function chargeQuery(tx: TransactionSql, q: { provider: string; cost: number; missed: boolean; limit: number; now: Date }): Promise<QueryGrant> {
  const day = utcDay(q.now);
  const refuse = (used: number) =>
    new CordonError('RESOURCE_EXHAUSTED', `investigation budget: '${q.provider}' has queried ${used} of its ${q.limit} tokens for ${day} (UTC) at this node; a query of ${q.cost} does not fit (the budget resets at 00:00 UTC)`);
  if (q.cost > q.limit) throw refuse(0);
  const miss = q.missed ? 1 : 0;
  const rows = await tx<{ tokens: string }[]>`
    INSERT INTO investigation_usage (provider_id, day, tokens, queries, misses) VALUES (${q.provider}, ${day}, ${q.cost}, 1, ${miss})
    ON CONFLICT (provider_id, day) DO UPDATE
      SET tokens = investigation_usage.tokens + EXCLUDED.tokens, queries = investigation_usage.queries + 1, misses = investigation_usage.misses + EXCLUDED.misses
      WHERE investigation_usage.tokens + EXCLUDED.tokens <= ${q.limit}
    RETURNING tokens`;
  if (rows.length === 0) {
    const [row] = await tx<{ tokens: string }[]>`SELECT tokens FROM investigation_usage WHERE provider_id = ${q.provider} AND day = ${day}`;
    throw refuse(row ? Number(row.tokens) : 0);
  }
  const used = Number(rows[0]!.tokens);
  return { day, used, remaining: q.limit - used };
}
