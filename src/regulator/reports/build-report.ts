import { create, toBinary } from '@bufbuild/protobuf';
import type { KeyObject } from 'node:crypto';
import { ReportIndicatorSchema, ReportSchema, SignedReportSchema, type Report, type SignedReport } from '../../gen/cordon/v1/regulator_pb.js';
import { tokenKindCode, type IndicatorToken } from '../views/indicator-token.js';
import { signFiling } from './signatures.js';
import { reportDigest } from './statements.js';
import { checkReport } from './validate-report.js';

export interface ReportDraft {
  providerId: string;
  campaignRef: string;
  indicators: readonly IndicatorToken[];
  narrative: string;
  contact: string;
  /** ms since the epoch; default now. */
  createdMs?: number;
}

export interface BuiltReport {
  report: Report;
  signed: SignedReport;
  digest: Uint8Array;
}

/**
 * The provider's side of filing: builds the report, checks it exactly as the
 * regulator will (a raw identifier in the narrative stops here, on the
 * provider's node), serializes it once and signs the filing statement over
 * the digest of those bytes.
 */
export function buildSignedReport(draft: ReportDraft, key: KeyObject): BuiltReport {
  const report = create(ReportSchema, {
    providerId: draft.providerId,
    campaignRef: draft.campaignRef,
    indicators: draft.indicators.map((i) => create(ReportIndicatorSchema, { kind: tokenKindCode(i.kind), token: Buffer.from(i.token_hex, 'hex'), epoch: i.epoch })),
    narrative: draft.narrative,
    contact: draft.contact,
    createdMs: BigInt(draft.createdMs ?? Date.now()),
  });
  checkReport(report);
  const bytes = toBinary(ReportSchema, report);
  const digest = reportDigest(bytes);
  return { report, digest, signed: create(SignedReportSchema, { report: bytes, signature: signFiling(key, draft.providerId, digest) }) };
}
