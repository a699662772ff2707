import type { Sql } from 'postgres';

export interface Aggregates {
  recordsByLabel: [string, number][];
  recordsByProvider: [string, number][];
  recordsByWeek: [string, number][];
  campaignsByProviders: [string, number][];
  campaigns: number;
  records: number;
}

/**
 * The regulator's aggregate view (issue 5, views): counts only, over the
 * regulator's replica of every chain and the campaigns it may see (at least
 * `minProviders` providers). Active records only: retracted and expired ones
 * no longer count, as everywhere else.
 */
export async function aggregates(sql: Sql, opts: { sinceMs: number; minProviders: number }): Promise<Aggregates> {
  const since = new Date(opts.sinceMs);
  const pairs = (rows: { key: string; n: number }[]): [string, number][] => rows.map((r) => [r.key, r.n]);
  const active = sql`retracted_seq IS NULL AND expires_at > now() AND first_seen >= ${since}`;
  const [byLabel, byProvider, byWeek, byProviders] = await Promise.all([
    sql<{ key: string; n: number }[]>`SELECT l AS key, count(*)::int AS n FROM records, unnest(labels) AS l WHERE ${active} GROUP BY l ORDER BY n DESC, l`,
    sql<{ key: string; n: number }[]>`SELECT provider_id AS key, count(*)::int AS n FROM records WHERE ${active} GROUP BY provider_id ORDER BY provider_id`,
    sql<{ key: string; n: number }[]>`SELECT to_char(first_seen AT TIME ZONE 'UTC', 'IYYY-"W"IW') AS key, count(*)::int AS n FROM records WHERE ${active} GROUP BY 1 ORDER BY 1`,
    sql<{ key: string; n: number }[]>`
      SELECT cardinality(providers)::text AS key, count(*)::int AS n FROM campaigns
      WHERE status = 'active' AND cardinality(providers) >= ${opts.minProviders} GROUP BY 1 ORDER BY 1`,
  ]);
  const recordsByProvider = pairs(byProvider);
  const campaignsByProviders = pairs(byProviders);
  return {
    recordsByLabel: pairs(byLabel), recordsByProvider, recordsByWeek: pairs(byWeek), campaignsByProviders,
    campaigns: campaignsByProviders.reduce((s, [, n]) => s + n, 0),
    records: recordsByProvider.reduce((s, [, n]) => s + n, 0),
  };
}
