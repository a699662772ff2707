import type { Sql } from 'postgres';

/**
 * Context a provider can answer a case with, from its own local records
 * (provider side only; raw values never leave): the matching records, and
 * the accounts its detector linked to them (same cluster). Volume is not
 * kept locally, so its band is the analyst's to give.
 */
export interface LocalContext {
  readonly first_seen?: string;
  readonly labels: string[];
  readonly linked_accounts: number;
}

export async function localContext(sql: Sql, recordIds: readonly string[]): Promise<LocalContext | undefined> {
  if (recordIds.length === 0) return undefined;
  const ids = [...recordIds];
  const [row] = await sql<{ n: number; first_seen: Date | null; labels: string[] | null; records: number }[]>`
    WITH own AS (SELECT record_id, cluster FROM local_records WHERE record_id = ANY(${ids}::text[])),
    linked AS (
      SELECT r.* FROM local_records r
      WHERE r.retracted_at IS NULL
        AND (r.record_id IN (SELECT record_id FROM own) OR r.cluster IN (SELECT cluster FROM own WHERE cluster IS NOT NULL))
    )
    SELECT count(DISTINCT account_id)::int AS n, min(first_seen) AS first_seen, count(*)::int AS records,
           (SELECT array_agg(DISTINCT l ORDER BY l) FROM linked, unnest(linked.labels) AS l) AS labels
    FROM linked`;
  if (!row || row.records === 0) return undefined;
  return { ...(row.first_seen ? { first_seen: row.first_seen.toISOString() } : {}), labels: row.labels ?? [], linked_accounts: row.n };
}
