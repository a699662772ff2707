import type { Sql, TransactionSql } from 'postgres';

/**
 * SQL for filed reports (migration 006): the filed_reports table on the
 * regulator's and providers' nodes, report_log_leaves on consortium nodes.
 * One function per statement; callers own transactions.
 */
type Tx = Sql | TransactionSql;

export interface FiledReportRow {
  digest: Uint8Array;
  providerId: string;
  campaignRef: string;
  report: Uint8Array;
  providerSignature: string;
  regulatorId: string;
  receivedMs: bigint;
  receiptSignature: string;
}

interface DbRow {
  digest: Uint8Array;
  provider_id: string;
  campaign_ref: string;
  report: Uint8Array;
  provider_signature: string;
  regulator_id: string;
  received_ms: bigint;
  receipt_signature: string;
}

const toRow = (r: DbRow): FiledReportRow => ({
  digest: r.digest, providerId: r.provider_id, campaignRef: r.campaign_ref, report: r.report, providerSignature: r.provider_signature,
  regulatorId: r.regulator_id, receivedMs: BigInt(r.received_ms), receiptSignature: r.receipt_signature,
});

/**
 * Stores a filed report unless one with its digest is held. Returns the row
 * stored for that digest (the earlier one on a resend) and whether it is new.
 */
export async function insertFiledReport(tx: Tx, row: FiledReportRow): Promise<{ row: FiledReportRow; inserted: boolean }> {
  const inserted = await tx<DbRow[]>`
    INSERT INTO filed_reports (digest, provider_id, campaign_ref, report, provider_signature, regulator_id, received_ms, receipt_signature)
    VALUES (${Buffer.from(row.digest)}, ${row.providerId}, ${row.campaignRef}, ${Buffer.from(row.report)}, ${row.providerSignature},
            ${row.regulatorId}, ${String(row.receivedMs)}, ${row.receiptSignature})
    ON CONFLICT (digest) DO NOTHING
    RETURNING *`;
  if (inserted[0]) return { row: toRow(inserted[0]), inserted: true };
  const [held] = await tx<DbRow[]>`SELECT * FROM filed_reports WHERE digest = ${Buffer.from(row.digest)}`;
  return { row: toRow(held!), inserted: false };
}

export interface ReportPageQuery {
  providerId?: string;
  campaignRef?: string;
  /** Only reports received after this time (ms). */
  receivedAfterMs?: bigint;
  /** Resume after this (received_ms, digest) position. */
  after?: { receivedMs: bigint; digest: Uint8Array };
  limit: number;
}

/** Reports in (received_ms, digest) order, filtered; at most `limit`. */
export async function listFiledReports(tx: Tx, q: ReportPageQuery): Promise<FiledReportRow[]> {
  const rows = await tx<DbRow[]>`
    SELECT * FROM filed_reports
    WHERE true
      ${q.providerId ? tx`AND provider_id = ${q.providerId}` : tx``}
      ${q.campaignRef ? tx`AND campaign_ref = ${q.campaignRef}` : tx``}
      ${q.receivedAfterMs !== undefined ? tx`AND received_ms > ${String(q.receivedAfterMs)}` : tx``}
      ${q.after ? tx`AND (received_ms, digest) > (${String(q.after.receivedMs)}, ${Buffer.from(q.after.digest)})` : tx``}
    ORDER BY received_ms, digest
    LIMIT ${q.limit}`;
  return rows.map(toRow);
}

/** Reports whose hex digest starts with `prefix` (lowercase hex); at most two, enough to tell a unique match. */
export async function findFiledReports(tx: Tx, prefix: string): Promise<FiledReportRow[]> {
  if (prefix.length === 64) {
    return (await tx<DbRow[]>`SELECT * FROM filed_reports WHERE digest = ${Buffer.from(prefix, 'hex')}`).map(toRow);
  }
  // A bytea range scan on the primary key: every digest starting with the prefix's whole bytes.
  const whole = Buffer.from(prefix.slice(0, prefix.length - (prefix.length % 2)), 'hex');
  const upper = Buffer.concat([whole, Buffer.alloc(32 - whole.length, 0xff)]);
  const rows = await tx<DbRow[]>`
    SELECT * FROM filed_reports WHERE digest >= ${whole} AND digest <= ${upper} AND encode(digest, 'hex') LIKE ${prefix + '%'}
    ORDER BY digest LIMIT 2`;
  return rows.map(toRow);
}

/** Serialises RecordReport for one digest across connections until the transaction ends. */
export async function lockReportDigest(tx: TransactionSql, digest: Uint8Array): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext('cordon.report_log'), hashtext(${Buffer.from(digest).toString('hex')}))`;
}

export async function reportLeaf(tx: Tx, digest: Uint8Array): Promise<bigint | undefined> {
  const [row] = await tx<{ leaf_index: bigint }[]>`SELECT leaf_index FROM report_log_leaves WHERE digest = ${Buffer.from(digest)}`;
  return row ? BigInt(row.leaf_index) : undefined;
}

export async function insertReportLeaf(tx: Tx, digest: Uint8Array, providerId: string, leafIndex: number): Promise<void> {
  await tx`INSERT INTO report_log_leaves (digest, provider_id, leaf_index) VALUES (${Buffer.from(digest)}, ${providerId}, ${String(leafIndex)})`;
}
