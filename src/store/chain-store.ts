import { CordonError } from '../errors.js';
import { Writable } from 'node:stream';
import type { Sql, TransactionSql } from 'postgres';

/**
 * SQL for providers' chains as a consortium or regulator node holds them.
 * Plain SQL, one function per statement; callers own transactions.
 */
export interface HeadRow { provider_id: string; seq: bigint; digest: Uint8Array }
export interface StoredBatch { seq: bigint; digest: Uint8Array; batch: Uint8Array; signature: string }

type Tx = TransactionSql | Sql;

/** Locks (creating at seq 0 if new) the provider's head row for the rest of the transaction. */
export async function lockHead(tx: Tx, providerId: string, genesis: Uint8Array): Promise<HeadRow> {
  await tx`INSERT INTO chain_heads (provider_id, seq, digest) VALUES (${providerId}, 0, ${genesis}) ON CONFLICT DO NOTHING`;
  const [row] = await tx<HeadRow[]>`SELECT provider_id, seq, digest FROM chain_heads WHERE provider_id = ${providerId} FOR UPDATE`;
  return row!;
}

/**
 * Moves a provider's head to a batch this database holds. The head may only
 * ever name a stored batch: checked here, in the same statement, so no
 * caller (and no driver fault, such as statements of a dead transaction
 * replayed outside it) can leave a chain with a gap under its head.
 */
export async function setHead(tx: Tx, providerId: string, seq: bigint, digest: Uint8Array): Promise<void> {
  const moved = await tx`
    UPDATE chain_heads SET seq = ${seq.toString()}, digest = ${digest}, updated_at = now()
    WHERE provider_id = ${providerId}
      AND EXISTS (SELECT 1 FROM batches WHERE provider_id = ${providerId} AND seq = ${seq.toString()} AND digest = ${digest})`;
  if (moved.count !== 1) throw new CordonError('INTERNAL', `chain head of ${providerId} not moved to seq ${seq}: no such batch is stored`);
}

export async function batchDigestAt(tx: Tx, providerId: string, seq: bigint): Promise<Uint8Array | undefined> {
  const [row] = await tx<{ digest: Uint8Array }[]>`SELECT digest FROM batches WHERE provider_id = ${providerId} AND seq = ${seq.toString()}`;
  return row?.digest;
}

export interface BatchRow {
  providerId: string;
  seq: bigint;
  digest: Uint8Array;
  prevDigest: Uint8Array;
  createdMs: number;
  batch: Uint8Array;
  signature: string;
  recordCount: number;
  retractionCount: number;
  receivedFrom: string;
}

/**
 * Inserts one batch row unless (provider, seq) is already held; true if it
 * inserted. A plain INSERT, not COPY: postgres.js loses COPY errors (such as a
 * unique violation) and would leave the transaction hanging.
 */
export async function insertBatch(tx: Tx, b: BatchRow): Promise<boolean> {
  const rows = await tx`
    INSERT INTO batches (provider_id, seq, digest, prev_digest, created_at, batch, signature, record_count, retraction_count, received_from)
    VALUES (${b.providerId}, ${b.seq.toString()}, ${b.digest}, ${b.prevDigest}, ${new Date(b.createdMs)}, ${b.batch}, ${b.signature},
            ${b.recordCount}, ${b.retractionCount}, ${b.receivedFrom})
    ON CONFLICT (provider_id, seq) DO NOTHING
    RETURNING seq`;
  return rows.length === 1;
}

/**
 * Streams a prepared binary COPY payload into `table (columns)`. Only for
 * tables without unique constraints and payloads known to be valid: a COPY
 * error would leave the stream unfinished (postgres.js does not surface it).
 */
export async function copyBinary(tx: Tx, table: string, columns: readonly string[], payload: Buffer): Promise<void> {
  const stream: Writable = await tx.unsafe(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`).writable();
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(payload);
  });
}

export const RECORD_COLUMNS = [
  'provider_id', 'record_id', 'seq', 'epoch', 'kind', 'tokens', 'template_minhash', 'template_bands',
  'labels', 'score', 'first_seen', 'last_seen', 'expires_at',
] as const;

export async function applyRetractions(tx: Tx, providerId: string, seq: bigint, recordIds: string[], reasons: string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await tx`
    INSERT INTO retractions (provider_id, record_id, seq, reason)
    SELECT ${providerId}, r.id, ${seq.toString()}, r.reason FROM unnest(${recordIds}::text[], ${reasons}::text[]) AS r(id, reason)
    ON CONFLICT DO NOTHING`;
  await tx`
    UPDATE records SET retracted_seq = ${seq.toString()}
    WHERE provider_id = ${providerId} AND record_id = ANY(${recordIds}::text[]) AND retracted_seq IS NULL AND seq < ${seq.toString()}`;
}

export interface EquivocationRow {
  providerId: string;
  seq: bigint;
  kind: 'same_seq' | 'fork';
  heldDigest: Uint8Array;
  conflictingDigest: Uint8Array;
  conflictingBatch: Uint8Array;
  conflictingSignature: string;
  reportedBy: string;
}

/**
 * Keeps a conflicting batch as evidence unless enough is kept already: one
 * row per (provider, seq) (the table's key, migration 009) and at most
 * `maxPerProvider` rows per provider. True if it stored the row. The caller
 * holds the provider's head lock (lockHead), which serializes the count and
 * the insert for that provider.
 */
export async function insertEquivocation(tx: Tx, e: EquivocationRow, maxPerProvider: number): Promise<boolean> {
  const rows = await tx`
    INSERT INTO equivocations (provider_id, seq, kind, held_digest, conflicting_digest, conflicting_batch, conflicting_signature, reported_by)
    SELECT ${e.providerId}::text, ${e.seq.toString()}::bigint, ${e.kind}::text, ${e.heldDigest}::bytea, ${e.conflictingDigest}::bytea,
           ${e.conflictingBatch}::bytea, ${e.conflictingSignature}::text, ${e.reportedBy}::text
    WHERE (SELECT count(*) FROM equivocations WHERE provider_id = ${e.providerId}) < ${maxPerProvider}
    ON CONFLICT (provider_id, seq) DO NOTHING
    RETURNING seq`;
  return rows.length === 1;
}

/** A position in the (provider_id, seq) order of the equivocations table. */
export interface EvidencePosition { providerId: string; seq: bigint }
export interface EvidenceSize extends EvidencePosition { bytes: number }
export interface EvidenceRow extends EvidencePosition { conflictingBatch: Uint8Array; conflictingSignature: string; detectedAt: Date }

/**
 * The next `limit` evidence rows after `after` (optionally of one provider),
 * with each one's size (batch and signature bytes) but not its bytes: a page
 * is chosen by size before any batch is read.
 */
export async function equivocationSizes(sql: Sql, q: { providerId?: string; after?: EvidencePosition; limit: number }): Promise<EvidenceSize[]> {
  const rows = await sql<{ provider_id: string; seq: bigint; bytes: number }[]>`
    SELECT provider_id, seq, (octet_length(conflicting_batch) + octet_length(conflicting_signature))::int AS bytes FROM equivocations
    WHERE true
      ${q.providerId ? sql`AND provider_id = ${q.providerId}` : sql``}
      ${q.after ? sql`AND (provider_id, seq) > (${q.after.providerId}::text, ${q.after.seq.toString()}::bigint)` : sql``}
    ORDER BY provider_id, seq
    LIMIT ${q.limit}`;
  return rows.map((r) => ({ providerId: r.provider_id, seq: BigInt(r.seq), bytes: r.bytes }));
}

/** The evidence rows at exactly these positions, in (provider_id, seq) order. */
export async function equivocationsAt(sql: Sql, at: readonly EvidencePosition[]): Promise<EvidenceRow[]> {
  if (at.length === 0) return [];
  const rows = await sql<{ provider_id: string; seq: bigint; conflicting_batch: Uint8Array; conflicting_signature: string; detected_at: Date }[]>`
    SELECT e.provider_id, e.seq, e.conflicting_batch, e.conflicting_signature, e.detected_at
    FROM equivocations e
    JOIN unnest(${at.map((p) => p.providerId)}::text[], ${at.map((p) => p.seq.toString())}::bigint[]) AS p(provider_id, seq)
      ON e.provider_id = p.provider_id AND e.seq = p.seq
    ORDER BY e.provider_id, e.seq`;
  return rows.map((r) => ({
    providerId: r.provider_id, seq: BigInt(r.seq), conflictingBatch: r.conflicting_batch, conflictingSignature: r.conflicting_signature, detectedAt: r.detected_at,
  }));
}

export async function listHeads(sql: Sql, providerId?: string): Promise<HeadRow[]> {
  return sql<HeadRow[]>`
    SELECT provider_id, seq, digest FROM chain_heads WHERE seq > 0 ${providerId ? sql`AND provider_id = ${providerId}` : sql``}
    ORDER BY provider_id`;
}

export async function fetchBatches(sql: Sql, providerId: string, fromSeq: bigint, limit: number): Promise<StoredBatch[]> {
  return sql<StoredBatch[]>`
    SELECT seq, digest, batch, signature FROM batches
    WHERE provider_id = ${providerId} AND seq >= ${fromSeq.toString()} ORDER BY seq LIMIT ${limit}`;
}
