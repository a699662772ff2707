import type { Tx } from '../log-store.js';

/** SQL for the index of batch leaves in the witness's copies (migration 005, witness_batch_leaves). */
export interface BatchLeafRow { providerId: string; seq: bigint; digest: Uint8Array; leafIdx: number }

/** Adds index rows; a position this log already has keeps its first row. */
export async function insertBatchLeaves(tx: Tx, logId: string, rows: readonly BatchLeafRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    INSERT INTO witness_batch_leaves (log_id, provider_id, seq, digest, leaf_idx)
    SELECT ${logId}, v.provider_id, v.seq, decode(v.digest, 'hex'), v.leaf_idx
    FROM unnest(${rows.map((r) => r.providerId)}::text[], ${rows.map((r) => r.seq.toString())}::bigint[],
                ${rows.map((r) => Buffer.from(r.digest).toString('hex'))}::text[], ${rows.map((r) => String(r.leafIdx))}::bigint[])
         AS v(provider_id, seq, digest, leaf_idx)
    ON CONFLICT DO NOTHING`;
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

/**
 * Among `rows` (just indexed for `logId`), those another copied log holds
 * with a different digest: the same batch position, two different batches.
 * Checked as leaves arrive, so each round costs what it indexed, not the history.
 */
export async function conflictsWithOtherLogs(tx: Tx, logId: string, rows: readonly BatchLeafRow[]): Promise<{ providerId: string; seq: bigint; digest: Uint8Array; otherLogId: string; otherDigest: Uint8Array }[]> {
  if (rows.length === 0) return [];
  const found = await tx<{ provider_id: string; seq: bigint; digest: string; other_log_id: string; other_digest: Uint8Array }[]>`
    SELECT q.provider_id, q.seq, q.digest, w.log_id AS other_log_id, w.digest AS other_digest
    FROM unnest(${rows.map((r) => r.providerId)}::text[], ${rows.map((r) => r.seq.toString())}::bigint[], ${rows.map((r) => Buffer.from(r.digest).toString('hex'))}::text[])
         AS q(provider_id, seq, digest)
    JOIN witness_batch_leaves w ON w.provider_id = q.provider_id AND w.seq = q.seq
    WHERE w.log_id <> ${logId} AND w.digest <> decode(q.digest, 'hex')
    ORDER BY q.provider_id, q.seq, w.log_id`;
  return found.map((r) => ({ providerId: r.provider_id, seq: BigInt(r.seq), digest: Buffer.from(r.digest, 'hex'), otherLogId: r.other_log_id, otherDigest: r.other_digest }));
}
