import type { KeyObject } from 'node:crypto';
import type { Sql } from 'postgres';
import type { ReportReceipt, SignedReport } from '../../gen/cordon/v1/regulator_pb.js';
import { CordonError } from '../../errors.js';
import type { Membership } from '../../federation/membership/membership.js';
import { findFiledReports, insertFiledReport, type FiledReportRow } from './report-store.js';
import { receiptOf } from './receipt-of.js';
import { signReceipt, verifyFiling } from './signatures.js';
import { hexOf, reportDigest } from './statements.js';
import { checkReport, decodeReport } from './validate-report.js';

/** The regulator's side of filing: what FileReport needs from its node. */
export interface ReportInbox {
  readonly sql: Sql;
  readonly membership: Membership;
  readonly regulatorId: string;
  /** The regulator's Ed25519 private key: signs receipts. */
  readonly key: KeyObject;
  readonly now?: () => number;
}

export interface FiledOutcome {
  receipt: ReportReceipt;
  /** The regulator already held this report: `receipt` is the one given then. */
  duplicate: boolean;
  row: FiledReportRow;
}

/**
 * Accepts one report filed by `callerId`: verifies the provider's signature
 * over the digest of the exact bytes, checks the content at the boundary,
 * signs a receipt over the digest and the receive time, and stores report
 * and receipt in one statement. A resend of held bytes answers the original
 * receipt and changes nothing; anything invalid stores nothing.
 */
export async function fileReport(inbox: ReportInbox, signed: SignedReport | undefined, callerId: string): Promise<FiledOutcome> {
  if (!signed || signed.report.length === 0) throw new CordonError('INVALID_INPUT', 'FileReport: report is missing');
  const report = decodeReport(signed.report);
  if (report.providerId !== callerId) {
    throw new CordonError('PERMISSION_DENIED', `FileReport: ${callerId} may file only its own reports, not one by '${report.providerId}'`);
  }
  const digest = reportDigest(signed.report);
  verifyFiling(inbox.membership, report.providerId, digest, signed.signature);

  const [held] = await findFiledReports(inbox.sql, hexOf(digest));
  if (held) return { receipt: receiptOf(held), duplicate: true, row: held };

  const now = (inbox.now ?? Date.now)();
  checkReport(report, { now });
  const receipt = signReceipt(inbox.key, inbox.regulatorId, digest, BigInt(now));
  const stored = await insertFiledReport(inbox.sql, {
    digest, providerId: report.providerId, campaignRef: report.campaignRef, report: signed.report, providerSignature: signed.signature,
    regulatorId: receipt.regulatorId, receivedMs: receipt.receivedMs, receiptSignature: receipt.signature,
  });
  // Two identical filings racing: the first stored wins, and both get its receipt.
  return { receipt: stored.inserted ? receipt : receiptOf(stored.row), duplicate: !stored.inserted, row: stored.row };
}
