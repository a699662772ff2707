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

export async function insertEquivocation(tx: Tx, e: EquivocationRow): Promise<void> {
  await tx`
    INSERT INTO equivocations (provider_id, seq, kind, held_digest, conflicting_digest, conflicting_batch, conflicting_signature, reported_by)
    VALUES (${e.providerId}, ${e.seq.toString()}, ${e.kind}, ${e.heldDigest}, ${e.conflictingDigest}, ${e.conflictingBatch}, ${e.conflictingSignature}, ${e.reportedBy})
    ON CONFLICT DO NOTHING`;
}

export async function listEquivocations(sql: Sql, providerId?: string) {
  return sql<{ provider_id: string; seq: bigint; kind: string; conflicting_batch: Uint8Array; conflicting_signature: string; detected_at: Date }[]>`
    SELECT provider_id, seq, kind, conflicting_batch, conflicting_signature, detected_at FROM equivocations
    ${providerId ? sql`WHERE provider_id = ${providerId}` : sql``}
    ORDER BY provider_id, seq`;
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
