import type { Sql, TransactionSql } from 'postgres';

/**
 * SQL for the transparency log (migration 003). Plain SQL, one function per
 * statement; callers own transactions and chunking (see MAX_PARAMETERS).
 */
type Tx = TransactionSql | Sql;

/** PostgreSQL's limit on bind parameters in one statement is 65,535. */
export const MAX_PARAMETERS = 65_534;

export interface EntryRow { idx: number; leafHash: Uint8Array; kind: string; ref: string; entry: Uint8Array }
export interface NodeRow { level: number; idx: number; hash: Uint8Array }
export interface StoredEntry { idx: number; leafHash: Uint8Array; kind: string; ref: string; entry: Uint8Array; appendedAt: Date }
export interface TreeHeadRow { size: number; root: Uint8Array; kid: string; signature: string; signedAt: Date }

/** The single sequencer: serialises appenders until the transaction ends. */
export async function lockSequencer(tx: Tx): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext('cordon.transparency_log'))`;
}

/** Number of leaves: indices are gap-free, so max(idx) + 1. */
export async function logSize(tx: Tx): Promise<number> {
  const [row] = await tx<{ size: bigint }[]>`SELECT coalesce(max(idx) + 1, 0)::bigint AS size FROM log_entries`;
  return Number(row!.size);
}

/**
 * Hashes of the given perfect subtrees in one query: level 0 from log_entries,
 * level ≥ 1 from log_nodes. Answers in request order; null where nothing is stored.
 */
export async function fetchSubtrees(tx: Tx, keys: readonly { level: number; idx: number }[]): Promise<(Uint8Array | null)[]> {
  if (keys.length === 0) return [];
  const levels = keys.map((k) => k.level).join(',');
  const idxs = keys.map((k) => k.idx).join(',');
  const rows = await tx<{ ord: bigint; hash: Uint8Array | null }[]>`
    SELECT q.ord, coalesce(n.hash, e.leaf_hash) AS hash
    FROM unnest(string_to_array(${levels}, ',')::smallint[], string_to_array(${idxs}, ',')::bigint[])
         WITH ORDINALITY AS q(level, idx, ord)
    LEFT JOIN log_nodes n ON q.level > 0 AND n.level = q.level AND n.idx = q.idx
    LEFT JOIN log_entries e ON q.level = 0 AND e.idx = q.idx
    ORDER BY q.ord`;
  const out: (Uint8Array | null)[] = new Array<Uint8Array | null>(keys.length).fill(null);
  for (const r of rows) out[Number(r.ord) - 1] = r.hash;
  return out;
}

/** One multi-row INSERT of leaves; at most MAX_PARAMETERS / 5 rows. */
export async function insertEntries(tx: Tx, rows: readonly EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({ idx: String(r.idx), leaf_hash: Buffer.from(r.leafHash), kind: r.kind, ref: r.ref, entry: Buffer.from(r.entry) }));
  await tx`INSERT INTO log_entries ${tx(values, 'idx', 'leaf_hash', 'kind', 'ref', 'entry')}`;
}

/** One multi-row INSERT of completed nodes; at most MAX_PARAMETERS / 3 rows. */
export async function insertNodes(tx: Tx, rows: readonly NodeRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({ level: r.level, idx: String(r.idx), hash: Buffer.from(r.hash) }));
  await tx`INSERT INTO log_nodes ${tx(values, 'level', 'idx', 'hash')}`;
}

/** Leaves with idx in [from, from + limit), in index order. */
export async function readEntries(tx: Tx, from: number, limit: number): Promise<StoredEntry[]> {
  const rows = await tx<{ idx: bigint; leaf_hash: Uint8Array; kind: string; ref: string; entry: Uint8Array; appended_at: Date }[]>`
    SELECT idx, leaf_hash, kind, ref, entry, appended_at FROM log_entries
    WHERE idx >= ${String(from)} AND idx < ${String(from + limit)} ORDER BY idx`;
  return rows.map((r) => ({ idx: Number(r.idx), leafHash: r.leaf_hash, kind: r.kind, ref: r.ref, entry: r.entry, appendedAt: r.appended_at }));
}

/** Stored nodes that no complete subtree of a `size`-leaf log can have (fsck). */
export async function nodesBeyond(tx: Tx, size: number, limit: number): Promise<{ level: number; idx: number }[]> {
  const rows = await tx<{ level: number; idx: bigint }[]>`
    SELECT level, idx FROM log_nodes
    WHERE (idx + 1) * (1::numeric * 2 ^ level) > ${String(size)}::numeric
    ORDER BY level, idx LIMIT ${limit}`;
  return rows.map((r) => ({ level: r.level, idx: Number(r.idx) }));
}

/** Inserts a signed head unless one of that size exists; returns the head stored for that size. */
export async function insertTreeHead(tx: Tx, h: TreeHeadRow): Promise<TreeHeadRow> {
  const [row] = await tx<{ size: bigint; root: Uint8Array; kid: string; signature: string; signed_at: Date }[]>`
    WITH ins AS (
      INSERT INTO tree_heads (size, root, kid, signature, signed_at)
      VALUES (${String(h.size)}, ${Buffer.from(h.root)}, ${h.kid}, ${h.signature}, ${h.signedAt})
      ON CONFLICT (size) DO NOTHING
      RETURNING size, root, kid, signature, signed_at)
    SELECT * FROM ins
    UNION ALL
    SELECT size, root, kid, signature, signed_at FROM tree_heads WHERE size = ${String(h.size)}
    LIMIT 1`;
  return toHead(row!);
}

/** The signed head with the largest size, if any. */
export async function latestTreeHead(tx: Tx): Promise<TreeHeadRow | undefined> {
  const [row] = await tx<{ size: bigint; root: Uint8Array; kid: string; signature: string; signed_at: Date }[]>`
    SELECT size, root, kid, signature, signed_at FROM tree_heads ORDER BY size DESC LIMIT 1`;
  return row ? toHead(row) : undefined;
}

function toHead(r: { size: bigint; root: Uint8Array; kid: string; signature: string; signed_at: Date }): TreeHeadRow {
  return { size: Number(r.size), root: r.root, kid: r.kid, signature: r.signature, signedAt: r.signed_at };
}
