import type { Sql } from 'postgres';
import type { Cursor } from './cursor.js';
import type { TaxiiQuery } from './query.js';

/**
 * SQL for the TAXII object store (migration 006, taxii_objects): every
 * version of every object the server has offered, with its date_added.
 */
export interface StoredVersion { objectId: string; version: string; type: string; object: string }
export interface ServedVersion { objectId: string; version: string; dateAddedUs: bigint; object: string }

/** Rows per INSERT: 5 parameters each, under PostgreSQL's 65,535. */
const INSERT_CHUNK = 10_000;

/** (object id, version) pairs already held in a collection. */
export async function heldVersions(sql: Sql, collection: string): Promise<Set<string>> {
  const rows = await sql<{ object_id: string; version: string }[]>`SELECT object_id, version FROM taxii_objects WHERE collection_id = ${collection}`;
  return new Set(rows.map((r) => `${r.object_id}|${r.version}`));
}

/**
 * Adds versions with one date_added for all of them: the current time in
 * microseconds, or just after the latest date_added held if the clock went
 * back, so date_added only ever grows (clients page on it with added_after).
 */
export async function addVersions(sql: Sql, collection: string, versions: readonly StoredVersion[]): Promise<bigint | undefined> {
  if (versions.length === 0) return undefined;
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('cordon.taxii_objects'), hashtext(${collection}))`;
    const [row] = await tx<{ us: bigint }[]>`
      SELECT greatest((extract(epoch FROM clock_timestamp()) * 1000000)::bigint, coalesce(max(date_added_us), 0) + 1)::bigint AS us
      FROM taxii_objects WHERE collection_id = ${collection}`;
    const us = BigInt(row!.us);
    for (let i = 0; i < versions.length; i += INSERT_CHUNK) {
      const values = versions.slice(i, i + INSERT_CHUNK).map((v) => ({
        collection_id: collection, object_id: v.objectId, version: v.version, type: v.type, date_added_us: us.toString(), object: v.object,
      }));
      await tx`INSERT INTO taxii_objects ${tx(values, 'collection_id', 'object_id', 'version', 'type', 'date_added_us', 'object')} ON CONFLICT DO NOTHING`;
    }
    return us;
  });
}

/**
 * One page of versions matching a query, in (date_added, id, version) order,
 * plus whether more follow. `objectId` narrows to one object (the object and
 * versions endpoints).
 */
export async function queryVersions(sql: Sql, collection: string, q: TaxiiQuery, objectId?: string): Promise<{ rows: ServedVersion[]; more: boolean }> {
  if (!q.specVersionMatches) return { rows: [], more: false };
  const v = q.versions;
  const versionClause = v.all
    ? sql``
    : sql`AND (false
        ${v.last ? sql`OR t.version = (SELECT max(u.version) FROM taxii_objects u WHERE u.collection_id = t.collection_id AND u.object_id = t.object_id)` : sql``}
        ${v.first ? sql`OR t.version = (SELECT min(u.version) FROM taxii_objects u WHERE u.collection_id = t.collection_id AND u.object_id = t.object_id)` : sql``}
        ${v.exact.length > 0 ? sql`OR t.version IN ${sql(v.exact)}` : sql``})`;
  const after: Cursor | undefined = q.next;
  const rows = await sql<{ object_id: string; version: string; date_added_us: bigint; object: string }[]>`
    SELECT t.object_id, t.version, t.date_added_us, t.object FROM taxii_objects t
    WHERE t.collection_id = ${collection}
      ${objectId !== undefined ? sql`AND t.object_id = ${objectId}` : sql``}
      ${q.ids ? sql`AND t.object_id IN ${sql(q.ids)}` : sql``}
      ${q.types ? sql`AND t.type IN ${sql(q.types)}` : sql``}
      ${q.addedAfterUs !== undefined ? sql`AND t.date_added_us > ${q.addedAfterUs.toString()}` : sql``}
      ${versionClause}
      ${after ? sql`AND (t.date_added_us, t.object_id, t.version) > (${after.dateAddedUs.toString()}::bigint, ${after.objectId}, ${after.version})` : sql``}
    ORDER BY t.date_added_us, t.object_id, t.version
    LIMIT ${q.limit + 1}`;
  return {
    rows: rows.slice(0, q.limit).map((r) => ({ objectId: r.object_id, version: r.version, dateAddedUs: BigInt(r.date_added_us), object: r.object })),
    more: rows.length > q.limit,
  };
}

export async function objectExists(sql: Sql, collection: string, objectId: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM taxii_objects WHERE collection_id = ${collection} AND object_id = ${objectId} LIMIT 1`;
  return rows.length > 0;
}
