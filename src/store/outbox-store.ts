import type { Sql, TransactionSql } from 'postgres';

/**
 * SQL for a provider's own chain: the signed batches it created (the outbox)
 * and how far each consortium node has acknowledged them.
 */
type Tx = TransactionSql | Sql;

export interface OutboxBatch { seq: bigint; digest: Uint8Array; batch: Uint8Array; signature: string; record_count: number }

/** Locks the outbox against concurrent appenders (another CLI process) for the transaction. */
export async function lockOutbox(tx: Tx): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext('cordon.outbox'))`;
}

export async function outboxHead(tx: Tx): Promise<{ seq: bigint; digest: Uint8Array } | undefined> {
  const [row] = await tx<{ seq: bigint; digest: Uint8Array }[]>`SELECT seq, digest FROM outbox ORDER BY seq DESC LIMIT 1`;
  return row;
}

export async function insertOutbox(tx: Tx, rows: OutboxBatch[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`INSERT INTO outbox ${tx(rows.map((r) => ({ ...r, seq: r.seq.toString() })), 'seq', 'digest', 'batch', 'signature', 'record_count')}`;
}

export async function outboxFrom(sql: Sql, fromSeq: bigint, limit: number): Promise<OutboxBatch[]> {
  return sql<OutboxBatch[]>`SELECT seq, digest, batch, signature, record_count FROM outbox WHERE seq >= ${fromSeq.toString()} ORDER BY seq LIMIT ${limit}`;
}

export async function ackedSeq(sql: Sql, consortiumId: string): Promise<bigint> {
  const [row] = await sql<{ acked_seq: bigint }[]>`SELECT acked_seq FROM deliveries WHERE consortium_id = ${consortiumId}`;
  return row?.acked_seq ?? 0n;
}

export async function setAcked(sql: Sql, consortiumId: string, seq: bigint): Promise<void> {
  await sql`
    INSERT INTO deliveries (consortium_id, acked_seq) VALUES (${consortiumId}, ${seq.toString()})
    ON CONFLICT (consortium_id) DO UPDATE SET acked_seq = GREATEST(deliveries.acked_seq, EXCLUDED.acked_seq), updated_at = now()`;
}

export async function deliveryStatus(sql: Sql) {
  return sql<{ consortium_id: string; acked_seq: bigint }[]>`SELECT consortium_id, acked_seq FROM deliveries ORDER BY consortium_id`;
}
