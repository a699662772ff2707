import { copyBinary } from '../../store/chain-store.js';
import { BinaryCopyWriter } from '../../store/copy-binary.js';
import type { Tx } from '../log-store.js';

/** SQL for the index of batch leaves in the witness's copies (migration 005, witness_batch_leaves). */
export interface BatchLeafRow { providerId: string; seq: bigint; digest: Uint8Array; leafIdx: number }

/**
 * Adds index rows with binary COPY. Callers pass only positions checked free
 * for this log (`rowsAtPositions`) and unique, under the copy's sequencer:
 * a COPY that hit the primary key would hang the connection.
 */
export async function copyBatchLeaves(tx: Tx, logId: string, rows: readonly BatchLeafRow[]): Promise<void> {
  if (rows.length === 0) return;
  const w = new BinaryCopyWriter(rows.length * 96 + 64);
  for (const r of rows) w.row([{ t: 'text', v: logId }, { t: 'text', v: r.providerId }, { t: 'int8', v: r.seq }, { t: 'bytea', v: r.digest }, { t: 'int8', v: BigInt(r.leafIdx) }]);
  await copyBinary(tx, 'witness_batch_leaves', ['log_id', 'provider_id', 'seq', 'digest', 'leaf_idx'], w.finish());
}

/** Every index row, in any copied log, at the given batch positions. */
export async function rowsAtPositions(tx: Tx, keys: readonly { providerId: string; seq: bigint }[]): Promise<{ providerId: string; seq: bigint; logId: string; digest: Uint8Array }[]> {
  if (keys.length === 0) return [];
  const rows = await tx<{ provider_id: string; seq: bigint; log_id: string; digest: Uint8Array }[]>`
    SELECT w.provider_id, w.seq, w.log_id, w.digest
    FROM unnest(${keys.map((k) => k.providerId)}::text[], ${keys.map((k) => k.seq.toString())}::bigint[]) AS q(provider_id, seq)
    JOIN witness_batch_leaves w ON w.provider_id = q.provider_id AND w.seq = q.seq`;
  return rows.map((r) => ({ providerId: r.provider_id, seq: BigInt(r.seq), logId: r.log_id, digest: r.digest }));
}

/** Drops index rows of leaves past `fromIdx` (when fetched leaves fail to match their head). */
export async function deleteBatchLeavesFrom(tx: Tx, logId: string, fromIdx: number): Promise<void> {
  await tx`DELETE FROM witness_batch_leaves WHERE log_id = ${logId} AND leaf_idx >= ${String(fromIdx)}`;
}

/** Which of the given (provider, seq) a copy holds below leaf index `below`. */
export async function heldBatchLeaves(tx: Tx, logId: string, keys: readonly { providerId: string; seq: bigint }[], below: number): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await tx<{ provider_id: string; seq: bigint }[]>`
    SELECT w.provider_id, w.seq FROM witness_batch_leaves w
    JOIN unnest(${keys.map((k) => k.providerId)}::text[], ${keys.map((k) => k.seq.toString())}::bigint[]) AS q(provider_id, seq)
      ON w.provider_id = q.provider_id AND w.seq = q.seq
    WHERE w.log_id = ${logId} AND w.leaf_idx < ${String(below)}`;
  return new Set(rows.map((r) => `${r.provider_id}#${r.seq}`));
}
