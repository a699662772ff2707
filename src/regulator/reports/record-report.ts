import { create, toBinary } from '@bufbuild/protobuf';
import type { Sql } from 'postgres';
import { FiledReportEntrySchema, ReportReceiptSchema, type FiledReportEntry } from '../../gen/cordon/v1/regulator_pb.js';
import type { LogEntryInput, TransparencyLog } from '../../audit/transparency-log.js';
import { CordonError } from '../../errors.js';
import type { Membership } from '../../federation/membership/membership.js';
import { REPORT_CLOCK_SKEW_MS } from './limits.js';
import { insertReportLeaf, lockReportDigest, reportLeaf } from './report-store.js';
import { verifyFiling, verifyReceipt } from './signatures.js';
import { hexOf } from './statements.js';

/** The kind of a filed report's leaf in a consortium node's transparency log. */
export const FILED_REPORT_LEAF_KIND = 'filed_report';

/** What RecordReport needs from a consortium node. */
export interface ReportLogEnv {
  readonly sql: Sql;
  readonly membership: Membership;
  readonly log: TransparencyLog;
  /** Called once a new leaf committed (the log part signs a head covering it without waiting for its sweep). */
  readonly onLogged?: () => void;
  readonly now?: () => number;
}

/**
 * The leaf bytes of a filed report: the entry re-encoded from its checked
 * fields only (no unknown fields ride along), so the same filing always
 * gives the same leaf whoever submits it.
 */
export function filedReportLeaf(entry: FiledReportEntry): LogEntryInput {
  const r = entry.receipt!;
  const canonical = create(FiledReportEntrySchema, {
    providerId: entry.providerId,
    reportDigest: entry.reportDigest,
    providerSignature: entry.providerSignature,
    receipt: create(ReportReceiptSchema, { regulatorId: r.regulatorId, reportDigest: r.reportDigest, receivedMs: r.receivedMs, signature: r.signature }),
  });
  return { kind: FILED_REPORT_LEAF_KIND, ref: hexOf(entry.reportDigest), entry: toBinary(FiledReportEntrySchema, canonical) };
}

/**
 * Puts a filed report into this consortium node's transparency log once the
 * provider's filing signature and the regulator's receipt both verify over
 * the digest. Once per digest, atomically: a resubmission answers the
 * original leaf.
 * The report's content never reaches the consortium.
 */
export async function recordReport(env: ReportLogEnv, entry: FiledReportEntry | undefined, callerId: string): Promise<{ leafIndex: bigint; duplicate: boolean }> {
  if (!entry) throw new CordonError('INVALID_INPUT', 'RecordReport: entry is missing');
  if (entry.providerId !== callerId) {
    throw new CordonError('PERMISSION_DENIED', `RecordReport: ${callerId} may record only its own reports, not one by '${entry.providerId}'`);
  }
  verifyFiling(env.membership, entry.providerId, entry.reportDigest, entry.providerSignature);
  if (!entry.receipt) throw new CordonError('INVALID_INPUT', "RecordReport: the regulator's receipt is missing");
  verifyReceipt(env.membership, entry.reportDigest, entry.receipt);
  const now = (env.now ?? Date.now)();
  if (Number(entry.receipt.receivedMs) > now + REPORT_CLOCK_SKEW_MS) {
    throw new CordonError('INVALID_INPUT', `RecordReport: the receipt's time is ${Math.round((Number(entry.receipt.receivedMs) - now) / 1000)} s in this node's future`);
  }
  const leaf = filedReportLeaf(entry);
  const outcome = await env.sql.begin(async (tx) => {
    await lockReportDigest(tx, entry.reportDigest);
    const held = await reportLeaf(tx, entry.reportDigest);
    if (held !== undefined) return { leafIndex: held, duplicate: true };
    // Leaf and dedupe row commit together: a filing is logged exactly once.
    const [index] = await env.log.appendIn(tx, [leaf]);
    await insertReportLeaf(tx, entry.reportDigest, entry.providerId, index!);
    return { leafIndex: BigInt(index!), duplicate: false };
  });
  if (!outcome.duplicate) env.onLogged?.();
  return outcome;
}
