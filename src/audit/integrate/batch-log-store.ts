import type { BatchLeafFields } from '../log-leaf.js';
import type { Tx } from '../log-store.js';

/**
 * SQL for logging accepted batches (migration 005: batches.log_idx, NULL until
 * the batch has its leaf in the node's own log).
 */
export interface PendingBatch extends BatchLeafFields {
  receivedAt: Date;
}

/**
 * Up to `limit` unlogged batches, each provider's in sequence order. Provider
 * by provider, so a page that stops short never holds batch n + 1 of a chain
 * without batch n (the partial index batches_unlogged serves this order).
 */
export async function pendingBatches(tx: Tx, limit: number): Promise<PendingBatch[]> {
  const rows = await tx<{ provider_id: string; seq: bigint; digest: Uint8Array; signature: string; record_count: number; retraction_count: number; received_at: Date }[]>`
    SELECT provider_id, seq, digest, signature, record_count, retraction_count, received_at
    FROM batches WHERE log_idx IS NULL ORDER BY provider_id, seq LIMIT ${limit}`;
  return rows.map((r) => ({
    providerId: r.provider_id, seq: BigInt(r.seq), digest: r.digest, signature: r.signature,
    recordCount: r.record_count, retractionCount: r.retraction_count, receivedAt: r.received_at,
  }));
}

/** Records each batch's leaf index; returns how many rows changed. */
export async function markLogged(tx: Tx, batches: readonly { providerId: string; seq: bigint }[], indices: readonly number[]): Promise<number> {
  if (batches.length === 0) return 0;
  const rows = await tx`
    UPDATE batches b SET log_idx = v.idx
    FROM unnest(${batches.map((b) => b.providerId)}::text[], ${batches.map((b) => b.seq.toString())}::bigint[], ${indices.map(String)}::bigint[]) AS v(provider_id, seq, idx)
    WHERE b.provider_id = v.provider_id AND b.seq = v.seq AND b.log_idx IS NULL
    RETURNING 1`;
  return rows.length;
}

/** Batches accepted more than `olderThanMs` ago and still not logged (fsck: nothing acknowledged may escape the log). */
export async function overdueBatches(tx: Tx, olderThanMs: number, limit: number): Promise<{ providerId: string; seq: bigint; receivedAt: Date }[]> {
  const rows = await tx<{ provider_id: string; seq: bigint; received_at: Date }[]>`
    SELECT provider_id, seq, received_at FROM batches
    WHERE log_idx IS NULL AND received_at < now() - make_interval(secs => ${olderThanMs / 1000})
    ORDER BY provider_id, seq LIMIT ${limit}`;
  return rows.map((r) => ({ providerId: r.provider_id, seq: BigInt(r.seq), receivedAt: r.received_at }));
}

/** The held batches at the given positions, with the leaf each got (fsck). */
export async function batchesAt(tx: Tx, keys: readonly { providerId: string; seq: bigint }[]): Promise<Map<string, { digest: Uint8Array; signature: string; logIdx: number | null }>> {
  if (keys.length === 0) return new Map();
  const rows = await tx<{ provider_id: string; seq: bigint; digest: Uint8Array; signature: string; log_idx: bigint | null }[]>`
    SELECT b.provider_id, b.seq, b.digest, b.signature, b.log_idx FROM batches b
    JOIN unnest(${keys.map((k) => k.providerId)}::text[], ${keys.map((k) => k.seq.toString())}::bigint[]) AS q(provider_id, seq)
      ON b.provider_id = q.provider_id AND b.seq = q.seq`;
  return new Map(rows.map((r) => [`${r.provider_id}#${r.seq}`, { digest: r.digest, signature: r.signature, logIdx: r.log_idx === null ? null : Number(r.log_idx) }]));
}

/** Logged batches whose leaf index lies past the log's size (fsck). */
export async function batchesLoggedPast(tx: Tx, size: number, limit: number): Promise<{ providerId: string; seq: bigint; logIdx: number }[]> {
  const rows = await tx<{ provider_id: string; seq: bigint; log_idx: bigint }[]>`
    SELECT provider_id, seq, log_idx FROM batches WHERE log_idx >= ${String(size)} ORDER BY log_idx LIMIT ${limit}`;
  return rows.map((r) => ({ providerId: r.provider_id, seq: BigInt(r.seq), logIdx: Number(r.log_idx) }));
}
