import type { Tx } from '../log-store.js';
import type { LogHead } from '../service/wire.js';

/**
 * SQL for the heads a consortium node saw from its peers' logs (migration
 * 005, observed_tree_heads): served to witnesses as gossip.
 */
interface Row { log_id: string; size: bigint; root: Uint8Array; timestamp_ms: bigint; kid: string; signature: string }

const toHead = (r: Row): LogHead => ({ logId: r.log_id, head: { size: Number(r.size), root: Uint8Array.from(r.root), timestamp: Number(r.timestamp_ms), kid: r.kid, signature: r.signature } });

/** Every stored head, by log and size. */
export async function listObservedHeads(tx: Tx): Promise<LogHead[]> {
  const rows = await tx<Row[]>`SELECT log_id, size, root, timestamp_ms, kid, signature FROM observed_tree_heads ORDER BY log_id, size, root`;
  return rows.map(toHead);
}

/** The largest head stored for one log (the one a new head must extend). */
export async function latestObservedHead(tx: Tx, logId: string): Promise<LogHead | undefined> {
  const [row] = await tx<Row[]>`
    SELECT log_id, size, root, timestamp_ms, kid, signature FROM observed_tree_heads WHERE log_id = ${logId}
    ORDER BY size DESC, observed_at DESC LIMIT 1`;
  return row ? toHead(row) : undefined;
}

export async function insertObservedHead(tx: Tx, h: LogHead): Promise<void> {
  await tx`
    INSERT INTO observed_tree_heads (log_id, size, root, timestamp_ms, kid, signature)
    VALUES (${h.logId}, ${String(h.head.size)}, ${Buffer.from(h.head.root)}, ${String(h.head.timestamp)}, ${h.head.kid}, ${h.head.signature})
    ON CONFLICT DO NOTHING`;
}

/** Drops a head that a newer one was proven to extend (it says nothing the newer one does not). */
export async function deleteObservedHead(tx: Tx, h: LogHead): Promise<void> {
  await tx`DELETE FROM observed_tree_heads WHERE log_id = ${h.logId} AND size = ${String(h.head.size)} AND root = ${Buffer.from(h.head.root)}`;
}
