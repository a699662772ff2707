import type { Sql } from 'postgres';
import type { InvestigationPolicy } from '../../federation/membership/schema.js';

/**
 * Probing detection (DESIGN §6): a provider whose case queries mostly match
 * nobody's records is guessing identifiers rather than following up alerts.
 * The statistics live on each consortium node (investigation_usage), never
 * in the public transparency log: there, a hit/miss bit per query would tell
 * the opener whether its guess matched. The regulator reads the flags
 * through InvestigationService/ListProbingFlags.
 */
export interface QueryStats {
  readonly provider: string;
  readonly queries: number;
  readonly misses: number;
}

export interface ProbingFlag extends QueryStats {
  readonly missRatio: number;
  readonly windowDays: number;
}

/** Pure rule: enough queries in the window, and mostly misses. */
export function isProbing(s: QueryStats, policy: InvestigationPolicy): boolean {
  return s.queries >= policy.probing_min_queries && s.misses / s.queries >= policy.probing_miss_ratio;
}

export async function queryStats(sql: Sql, windowDays: number, now: Date): Promise<QueryStats[]> {
  const since = new Date(now.getTime() - (windowDays - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await sql<{ provider_id: string; queries: string; misses: string }[]>`
    SELECT provider_id, sum(queries) AS queries, sum(misses) AS misses FROM investigation_usage
    WHERE day >= ${since} GROUP BY provider_id ORDER BY provider_id`;
  return rows.map((r) => ({ provider: r.provider_id, queries: Number(r.queries), misses: Number(r.misses) }));
}

export async function probingFlags(sql: Sql, policy: InvestigationPolicy, now = new Date()): Promise<ProbingFlag[]> {
  return (await queryStats(sql, policy.probing_window_days, now))
    .filter((s) => isProbing(s, policy))
    .map((s) => ({ ...s, missRatio: s.misses / s.queries, windowDays: policy.probing_window_days }));
}
