import type { FiledReport } from '../../gen/cordon/v1/regulator_pb.js';
import { CordonError } from '../../errors.js';
import type { Membership } from '../../federation/membership/membership.js';
import type { ReportView } from '../views/report-view.js';
import { rowOf } from './receipt-of.js';
import { reportViewOf } from './report-views.js';
import { verifyFiling, verifyReceipt } from './signatures.js';
import { reportDigest } from './statements.js';
import { decodeReport } from './validate-report.js';

/**
 * Checks a filed report read from the regulator: the provider's signature
 * over the digest of the exact bytes, and the regulator's receipt over the
 * same digest. Returns the report as a view; throws INVALID_SIGNATURE otherwise.
 */
export function verifyFiledReport(membership: Membership, filed: FiledReport): ReportView {
  if (!filed.report || !filed.receipt) throw new CordonError('INVALID_INPUT', 'filed report: report or receipt missing');
  const report = decodeReport(filed.report.report);
  const digest = reportDigest(filed.report.report);
  verifyFiling(membership, report.providerId, digest, filed.report.signature);
  verifyReceipt(membership, digest, filed.receipt);
  return reportViewOf(rowOf(filed, report, digest));
}
