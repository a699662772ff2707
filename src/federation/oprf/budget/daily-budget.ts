import type { Sql } from 'postgres';
import { CordonError } from '../../../errors.js';

/**
 * Each provider's daily OPRF budget at one consortium node (DESIGN §4: every
 * guess costs an audited, rate-limited online query). A batch is admitted
 * whole or refused whole: the counter moves only if the batch fits under the
 * limit, in one statement, so concurrent batches cannot overshoot it and a
 * refused batch changes nothing. Days are UTC.
 */
export interface BudgetGrant {
  /** Evaluations counted today after this batch. */
  readonly used: number;
  readonly remaining: number;
  readonly day: string;
}

/** The UTC calendar day of `now`, as YYYY-MM-DD. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export async function reserveEvaluations(sql: Sql, providerId: string, count: number, limit: number, now = new Date()): Promise<BudgetGrant> {
  const day = utcDay(now);
  const refuse = (used: number) =>
    new CordonError('RESOURCE_EXHAUSTED', `OPRF budget: '${providerId}' has used ${used} of its ${limit} evaluations for ${day} (UTC) at this node; a batch of ${count} does not fit (the budget resets at 00:00 UTC)`);
  if (count > limit) throw refuse(0);
  const rows = await sql<{ evaluations: string }[]>`
    INSERT INTO oprf_usage (provider_id, day, evaluations, batches) VALUES (${providerId}, ${day}, ${count}, 1)
    ON CONFLICT (provider_id, day) DO UPDATE
      SET evaluations = oprf_usage.evaluations + EXCLUDED.evaluations, batches = oprf_usage.batches + 1
      WHERE oprf_usage.evaluations + EXCLUDED.evaluations <= ${limit}
    RETURNING evaluations`;
  if (rows.length === 0) throw refuse(await usedOn(sql, providerId, day));
  const used = Number(rows[0]!.evaluations);
  return { used, remaining: limit - used, day };
}

export async function usedOn(sql: Sql, providerId: string, day: string): Promise<number> {
  const rows = await sql<{ evaluations: string }[]>`SELECT evaluations FROM oprf_usage WHERE provider_id = ${providerId} AND day = ${day}`;
  return rows[0] ? Number(rows[0].evaluations) : 0;
}
