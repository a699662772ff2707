import { createHash } from 'node:crypto';

/**
 * The exact bytes the two signatures of a filed report cover. Both bind the
 * report only through its digest, so a consortium node can check them (and
 * log the filing) without ever seeing the report's content.
 */

/** typ of the provider's detached JWS over a filing statement. */
export const FILING_TYP = 'cordon-report+jws';
/** typ of the regulator's detached JWS over a receipt statement. */
export const RECEIPT_TYP = 'cordon-report-receipt+jws';

/** SHA-256 of the report bytes exactly as filed: the report's identity everywhere. */
export function reportDigest(report: Uint8Array): Uint8Array {
  return createHash('sha256').update(report).digest();
}

export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** "cordon-filed-report/v1\n" provider_id "\n" hex(digest) "\n" (UTF-8). */
export function filingStatement(providerId: string, digest: Uint8Array): Uint8Array {
  return Buffer.from(`cordon-filed-report/v1\n${providerId}\n${hexOf(digest)}\n`, 'utf8');
}

/** "cordon-report-receipt/v1\n" regulator_id "\n" hex(digest) "\n" received_ms "\n" (UTF-8). */
export function receiptStatement(regulatorId: string, digest: Uint8Array, receivedMs: bigint): Uint8Array {
  return Buffer.from(`cordon-report-receipt/v1\n${regulatorId}\n${hexOf(digest)}\n${receivedMs}\n`, 'utf8');
}
