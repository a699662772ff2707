import { create } from '@bufbuild/protobuf';
import { FiledReportSchema, ReportReceiptSchema, SignedReportSchema, type FiledReport, type ReportReceipt } from '../../gen/cordon/v1/regulator_pb.js';
import type { FiledReportRow } from './report-store.js';

/** The receipt stored with a filed report. */
export function receiptOf(row: FiledReportRow): ReportReceipt {
  return create(ReportReceiptSchema, { regulatorId: row.regulatorId, reportDigest: row.digest, receivedMs: row.receivedMs, signature: row.receiptSignature });
}

/** A stored filed report as the wire carries it: the signed bytes and the receipt. */
export function filedReportOf(row: FiledReportRow): FiledReport {
  return create(FiledReportSchema, {
    report: create(SignedReportSchema, { report: row.report, signature: row.providerSignature }),
    receipt: receiptOf(row),
  });
}

/** A filed report from the wire as a row (digest computed from the exact bytes; provider and campaign read from them). */
export function rowOf(filed: FiledReport, report: { providerId: string; campaignRef: string }, digest: Uint8Array): FiledReportRow {
  const r = filed.receipt;
  return {
    digest, providerId: report.providerId, campaignRef: report.campaignRef, report: filed.report?.report ?? new Uint8Array(),
    providerSignature: filed.report?.signature ?? '', regulatorId: r?.regulatorId ?? '', receivedMs: r?.receivedMs ?? 0n, receiptSignature: r?.signature ?? '',
  };
}
