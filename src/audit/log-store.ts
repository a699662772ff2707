import type { Sql, TransactionSql } from 'postgres';
import { CordonError } from '../errors.js';
import { copyBinary } from '../store/chain-store.js';
import { BinaryCopyWriter } from '../store/copy-binary.js';
import type { TileKey } from './tiles/geometry.js';
import type { TileRow } from './tiles/tile-builder.js';

/**
 * SQL for Merkle logs stored as tiles and entry bundles (migration 005). Plain
 * SQL, one function per statement; callers own transactions. Every function
 * is scoped to one log: `log_id` is '' for the node's own log and a member id
 * for a copy of that member's log (a witness's copy).
 */
export type Tx = TransactionSql | Sql;

export interface BundleRow { index: number; data: Uint8Array }
export interface TreeHeadRow { size: number; root: Uint8Array; timestampMs: number; kid: string; signature: string }

/**
 * The sequencer: locks the log's row until the transaction ends and returns
 * its size. Appenders to one log queue here; the size is authoritative, so
 * indices are assigned gap-free and a rolled-back append leaves no trace.
 */
export async function lockLog(tx: Tx, logId: string): Promise<number> {
  await tx`INSERT INTO merkle_logs (log_id) VALUES (${logId}) ON CONFLICT DO NOTHING`;
  const [row] = await tx<{ size: bigint }[]>`SELECT size FROM merkle_logs WHERE log_id = ${logId} FOR UPDATE`;
  return Number(row!.size);
}

export async function logSize(tx: Tx, logId: string): Promise<number> {
  const [row] = await tx<{ size: bigint }[]>`SELECT size FROM merkle_logs WHERE log_id = ${logId}`;
  return row ? Number(row.size) : 0;
}

export async function setLogSize(tx: Tx, logId: string, size: number): Promise<void> {
  await tx`UPDATE merkle_logs SET size = ${String(size)} WHERE log_id = ${logId}`;
}

/** The logs stored here with their sizes. */
export async function listLogs(tx: Tx): Promise<{ logId: string; size: number }[]> {
  const rows = await tx<{ log_id: string; size: bigint }[]>`SELECT log_id, size FROM merkle_logs ORDER BY log_id`;
  return rows.map((r) => ({ logId: r.log_id, size: Number(r.size) }));
}

/** The named tiles that exist (any order). */
export async function fetchTiles(tx: Tx, logId: string, keys: readonly TileKey[]): Promise<TileRow[]> {
  return (await fetchTilesAndSize(tx, logId, keys)).tiles;
}

/**
 * The named tiles and the log's size, in one round trip: a proof checks the
 * size it was asked for against the log with the same query that reads it.
 */
export async function fetchTilesAndSize(tx: Tx, logId: string, keys: readonly TileKey[]): Promise<{ size: number; tiles: TileRow[] }> {
  const rows = await tx<{ level: number | null; idx: bigint | null; hashes: Uint8Array | null; size: bigint | null }[]>`
    SELECT NULL::smallint AS level, NULL::bigint AS idx, NULL::bytea AS hashes, (SELECT size FROM merkle_logs WHERE log_id = ${logId}) AS size
    UNION ALL
    SELECT t.level, t.idx, t.hashes, NULL FROM merkle_tiles t
    JOIN unnest(${keys.map((k) => k.level)}::smallint[], ${keys.map((k) => String(k.index))}::bigint[]) AS q(level, idx)
      ON t.level = q.level AND t.idx = q.idx
    WHERE t.log_id = ${logId}`;
  const [head, ...tiles] = rows;
  return { size: Number(head?.size ?? 0), tiles: tiles.map((r) => ({ level: r.level!, index: Number(r.idx), hashes: r.hashes! })) };
}

/** Tiles of one level with index in [from, to), in order. */
export async function tilesInRange(tx: Tx, logId: string, level: number, from: number, to: number): Promise<TileRow[]> {
  const rows = await tx<{ idx: bigint; hashes: Uint8Array }[]>`
    SELECT idx, hashes FROM merkle_tiles
    WHERE log_id = ${logId} AND level = ${level} AND idx >= ${String(from)} AND idx < ${String(to)} ORDER BY idx`;
  return rows.map((r) => ({ level, index: Number(r.idx), hashes: r.hashes }));
}

/**
 * Whether any bundle from index `firstBundle` on, or any tile of level L from
 * index `firstTile[L]` on (every tile of higher levels), is stored: rows a log
 * of its current size cannot have. Checked under the sequencer before new rows
 * are COPYed in (see `copyNewRows`).
 */
export async function rowsPast(tx: Tx, logId: string, firstBundle: number, firstTile: readonly number[]): Promise<boolean> {
  const [row] = await tx<{ found: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM merkle_bundles WHERE log_id = ${logId} AND idx >= ${String(firstBundle)})
        OR EXISTS (SELECT 1 FROM unnest(${firstTile.map((_, l) => l)}::smallint[], ${firstTile.map(String)}::bigint[]) AS q(level, first)
                   JOIN merkle_tiles t ON t.log_id = ${logId} AND t.level = q.level AND t.idx >= q.first)
        OR EXISTS (SELECT 1 FROM merkle_tiles WHERE log_id = ${logId} AND level >= ${firstTile.length}) AS found`;
  return row!.found;
}

/**
 * Writes an append's new bundles and tiles with binary COPY: about twice the
 * rate of a multi-row INSERT, whose bytea parameters travel as hex text. A
 * COPY that fails (e.g. on a duplicate key) would leave the connection hanging
 * (postgres.js loses the error), so this runs only under the sequencer, for
 * keys computed past the log's size and checked free with `rowsPast` in the
 * same transaction, with values valid by construction: nothing in it can fail.
 */
export async function copyNewRows(tx: Tx, logId: string, bundles: readonly BundleRow[], tiles: readonly TileRow[]): Promise<void> {
  if (bundles.length > 0) {
    const w = new BinaryCopyWriter(bundles.reduce((n, b) => n + b.data.length + 32, 64));
    for (const b of bundles) w.row([{ t: 'text', v: logId }, { t: 'int8', v: BigInt(b.index) }, { t: 'bytea', v: b.data }]);
    await copyBinary(tx, 'merkle_bundles', ['log_id', 'idx', 'data'], w.finish());
  }
  if (tiles.length > 0) {
    const w = new BinaryCopyWriter(tiles.reduce((n, t) => n + t.hashes.length + 32, 64));
    for (const t of tiles) w.row([{ t: 'text', v: logId }, { t: 'int2', v: t.level }, { t: 'int8', v: BigInt(t.index) }, { t: 'bytea', v: t.hashes }]);
    await copyBinary(tx, 'merkle_tiles', ['log_id', 'level', 'idx', 'hashes'], w.finish());
  }
}

/**
 * Extends a stored partial tile. Applies only when the new content starts
 * with the stored one, so an append can never rewrite history: INTERNAL instead.
 */
export async function extendTile(tx: Tx, logId: string, row: TileRow): Promise<void> {
  const done = await tx`
    WITH v AS (SELECT ${asBuffer(row.hashes)}::bytea AS hashes)
    UPDATE merkle_tiles t SET hashes = v.hashes FROM v
    WHERE t.log_id = ${logId} AND t.level = ${row.level} AND t.idx = ${String(row.index)}
      AND length(t.hashes) < length(v.hashes) AND t.hashes = substring(v.hashes FROM 1 FOR length(t.hashes))
    RETURNING 1`;
  if (done.length !== 1) throw new CordonError('INTERNAL', `log '${logId}': tile ${row.level}/${row.index} is not a prefix of its extension; refusing to rewrite it (run cordon audit fsck)`);
}

/** Extends the stored partial bundle (same contract as `extendTile`). */
export async function extendBundle(tx: Tx, logId: string, row: BundleRow): Promise<void> {
  const done = await tx`
    WITH v AS (SELECT ${asBuffer(row.data)}::bytea AS data)
    UPDATE merkle_bundles b SET data = v.data FROM v
    WHERE b.log_id = ${logId} AND b.idx = ${String(row.index)}
      AND length(b.data) < length(v.data) AND b.data = substring(v.data FROM 1 FOR length(b.data))
    RETURNING 1`;
  if (done.length !== 1) throw new CordonError('INTERNAL', `log '${logId}': bundle ${row.index} is not a prefix of its extension; refusing to rewrite it (run cordon audit fsck)`);
}

/** Bundles with index in [from, to), in order. */
export async function fetchBundles(tx: Tx, logId: string, from: number, to: number): Promise<BundleRow[]> {
  const rows = await tx<{ idx: bigint; data: Uint8Array }[]>`
    SELECT idx, data FROM merkle_bundles WHERE log_id = ${logId} AND idx >= ${String(from)} AND idx < ${String(to)} ORDER BY idx`;
  return rows.map((r) => ({ index: Number(r.idx), data: r.data }));
}

/** Replaces a bundle's bytes outright: truncation of a witness's copy only. */
export async function replaceBundle(tx: Tx, logId: string, index: number, data: Uint8Array): Promise<void> {
  await tx`UPDATE merkle_bundles SET data = ${Buffer.from(data)} WHERE log_id = ${logId} AND idx = ${String(index)}`;
}

/** Replaces a tile's hashes outright: truncation of a witness's copy only. */
export async function replaceTile(tx: Tx, logId: string, key: TileKey, hashes: Uint8Array): Promise<void> {
  await tx`UPDATE merkle_tiles SET hashes = ${Buffer.from(hashes)} WHERE log_id = ${logId} AND level = ${key.level} AND idx = ${String(key.index)}`;
}

/** Deletes bundles from index `from` on, and tiles of each level from the given first index on. */
export async function deleteFrom(tx: Tx, logId: string, bundleFrom: number, tileFrom: readonly number[]): Promise<void> {
  await tx`DELETE FROM merkle_bundles WHERE log_id = ${logId} AND idx >= ${String(bundleFrom)}`;
  await tx`
    DELETE FROM merkle_tiles t USING unnest(${tileFrom.map((_, l) => l)}::smallint[], ${tileFrom.map(String)}::bigint[]) AS q(level, first)
    WHERE t.log_id = ${logId} AND t.level = q.level AND t.idx >= q.first`;
  await tx`DELETE FROM merkle_tiles WHERE log_id = ${logId} AND level >= ${tileFrom.length}`;
}

/** Tiles and bundles stored past what a log of `size` leaves can hold (fsck). */
export async function strayRows(tx: Tx, logId: string, bundles: number, tilesPerLevel: readonly number[], limit: number): Promise<{ what: string; level: number; index: number }[]> {
  const rows = await tx<{ what: string; level: number; idx: bigint }[]>`
    (SELECT 'bundle' AS what, 0 AS level, idx FROM merkle_bundles WHERE log_id = ${logId} AND idx >= ${String(bundles)} ORDER BY idx LIMIT ${limit})
    UNION ALL
    (SELECT 'tile', t.level, t.idx FROM merkle_tiles t
       LEFT JOIN unnest(${tilesPerLevel.map((_, l) => l)}::smallint[], ${tilesPerLevel.map(String)}::bigint[]) AS q(level, n) ON q.level = t.level
     WHERE t.log_id = ${logId} AND t.idx >= coalesce(q.n, 0) ORDER BY t.level, t.idx LIMIT ${limit})`;
  return rows.map((r) => ({ what: r.what, level: r.level, index: Number(r.idx) }));
}

/** Stores a signed head unless one of that size exists; returns the head stored for that size. */
export async function insertTreeHead(tx: Tx, logId: string, h: TreeHeadRow): Promise<TreeHeadRow> {
  const [row] = await tx<HeadSqlRow[]>`
    WITH ins AS (
      INSERT INTO tree_heads (log_id, size, root, timestamp_ms, kid, signature)
      VALUES (${logId}, ${String(h.size)}, ${Buffer.from(h.root)}, ${String(h.timestampMs)}, ${h.kid}, ${h.signature})
      ON CONFLICT (log_id, size) DO NOTHING
      RETURNING size, root, timestamp_ms, kid, signature)
    SELECT * FROM ins
    UNION ALL
    SELECT size, root, timestamp_ms, kid, signature FROM tree_heads WHERE log_id = ${logId} AND size = ${String(h.size)}
    LIMIT 1`;
  return toHead(row!);
}

/** The stored head with the largest size, if any. */
export async function latestTreeHead(tx: Tx, logId: string): Promise<TreeHeadRow | undefined> {
  const [row] = await tx<HeadSqlRow[]>`
    SELECT size, root, timestamp_ms, kid, signature FROM tree_heads WHERE log_id = ${logId} ORDER BY size DESC LIMIT 1`;
  return row ? toHead(row) : undefined;
}

/** Stored heads with size in [from, to), by size. */
export async function treeHeads(tx: Tx, logId: string, from: number, to: number, limit: number): Promise<TreeHeadRow[]> {
  const rows = await tx<HeadSqlRow[]>`
    SELECT size, root, timestamp_ms, kid, signature FROM tree_heads
    WHERE log_id = ${logId} AND size >= ${String(from)} AND size < ${String(to)} ORDER BY size LIMIT ${limit}`;
  return rows.map(toHead);
}

const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

interface HeadSqlRow { size: bigint; root: Uint8Array; timestamp_ms: bigint; kid: string; signature: string }

function toHead(r: HeadSqlRow): TreeHeadRow {
  return { size: Number(r.size), root: Uint8Array.from(r.root), timestampMs: Number(r.timestamp_ms), kid: r.kid, signature: r.signature };
}
