import type postgres from 'postgres';
import type { Sql, TransactionSql } from 'postgres';
import type { LocalRecord } from '../fingerprint/ingest/tokenize-suspects.js';

/** SQL for the provider's own record mapping (local_records): never replicated, never sent. */
type Tx = TransactionSql | Sql;

/** Rows per INSERT: 13 columns each, well under PostgreSQL's 65,534 parameters. */
const INSERT_CHUNK = 4_000;

export async function insertLocalRecords(tx: Tx, rows: readonly LocalRecord[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK).map((r) => ({
      record_id: r.recordId,
      account_id: r.accountId ?? null,
      kind: r.kind,
      epoch: r.epoch,
      normalized: r.normalized ? tx.json(r.normalized as unknown as postgres.JSONValue) : null,
      skeleton: r.skeleton ?? null,
      cluster: r.cluster ?? null,
      labels: r.labels,
      score: r.score,
      first_seen: new Date(r.firstSeenMs),
      last_seen: new Date(r.lastSeenMs),
      expires_at: new Date(r.expiresMs),
    }));
    await tx`INSERT INTO local_records ${tx(chunk)}`;
  }
}

interface LocalRow {
  record_id: string; account_id: string | null; kind: 'account' | 'template'; epoch: number; normalized: string | null; skeleton: string | null;
  cluster: string | null; labels: string[]; score: number; first_seen: Date; last_seen: Date; expires_at: Date;
}

/** Records still in force (not retracted, not expired) tokenized in an epoch other than `epoch`. */
export async function recordsToRotate(sql: Sql, epoch: number): Promise<LocalRecord[]> {
  const rows = await sql<LocalRow[]>`
    SELECT record_id, account_id, kind, epoch, normalized::text AS normalized, skeleton, cluster, labels, score, first_seen, last_seen, expires_at
    FROM local_records WHERE retracted_at IS NULL AND expires_at > now() AND epoch <> ${epoch} ORDER BY created_at, record_id`;
  return rows.map((r) => ({
    recordId: r.record_id, kind: r.kind, epoch: r.epoch, labels: r.labels, score: r.score,
    firstSeenMs: r.first_seen.getTime(), lastSeenMs: r.last_seen.getTime(), expiresMs: r.expires_at.getTime(),
    ...(r.account_id ? { accountId: r.account_id } : {}),
    ...(r.normalized ? { normalized: JSON.parse(r.normalized) } : {}),
    ...(r.skeleton ? { skeleton: r.skeleton } : {}),
    ...(r.cluster ? { cluster: r.cluster } : {}),
  }));
}

export async function markRetracted(tx: Tx, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await tx`UPDATE local_records SET retracted_at = now() WHERE record_id = ANY(${recordIds as string[]}::text[])`;
}
