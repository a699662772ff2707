import { create } from '@bufbuild/protobuf';
import type { KeyObject } from 'node:crypto';
import { ReportReceiptSchema, type ReportReceipt } from '../../gen/cordon/v1/regulator_pb.js';
import { parseDetached, signDetached, verifyDetached } from '../../crypto/detached-jws.js';
import { CordonError } from '../../errors.js';
import type { Membership } from '../../federation/membership/membership.js';
import type { Role } from '../../federation/membership/schema.js';
import { DIGEST_BYTES } from '../../federation/chain/limits.js';
import { FILING_TYP, RECEIPT_TYP, filingStatement, receiptStatement } from './statements.js';

/** The provider signs the filing statement of a report digest. */
export function signFiling(key: KeyObject, providerId: string, digest: Uint8Array): string {
  return signDetached(filingStatement(providerId, digest), key, providerId, FILING_TYP);
}

/** The regulator signs a receipt for a report digest at `receivedMs`. */
export function signReceipt(key: KeyObject, regulatorId: string, digest: Uint8Array, receivedMs: bigint): ReportReceipt {
  const signature = signDetached(receiptStatement(regulatorId, digest, receivedMs), key, regulatorId, RECEIPT_TYP);
  return create(ReportReceiptSchema, { regulatorId, reportDigest: digest, receivedMs, signature });
}

/** The active member `id` of `role` and its key, or PERMISSION_DENIED naming why not. */
function signerKey(membership: Membership, id: string, role: Role, where: string): KeyObject {
  const m = membership.member(id);
  if (!m) throw new CordonError('PERMISSION_DENIED', `${where}: '${id}' is not a member`);
  if (m.status !== 'active') throw new CordonError('PERMISSION_DENIED', `${where}: member '${id}' is ${m.status}`);
  if (m.role !== role) throw new CordonError('PERMISSION_DENIED', `${where}: '${id}' is a ${m.role}, not a ${role}`);
  return membership.activeKey(id)!;
}

function checkDigest(digest: Uint8Array, where: string): void {
  if (digest.length !== DIGEST_BYTES) throw new CordonError('INVALID_INPUT', `${where}: report digest must be ${DIGEST_BYTES} bytes, got ${digest.length}`);
}

/** Throws unless `jws` is `providerId`'s valid filing signature over `digest`. */
export function verifyFiling(membership: Membership, providerId: string, digest: Uint8Array, jws: string): void {
  const where = 'report signature';
  checkDigest(digest, where);
  const parsed = parseDetached(jws, where, FILING_TYP);
  if (parsed.header.kid !== providerId) {
    throw new CordonError('INVALID_SIGNATURE', `${where}: signed by '${parsed.header.kid}', but the report is by '${providerId}'`);
  }
  const key = signerKey(membership, providerId, 'provider', where);
  if (!verifyDetached(parsed, filingStatement(providerId, digest), key)) {
    throw new CordonError('INVALID_SIGNATURE', `${where}: does not verify against ${providerId}'s key over the report digest`);
  }
}

/** Throws unless `receipt` is a valid receipt by an active regulator for `digest`. */
export function verifyReceipt(membership: Membership, digest: Uint8Array, receipt: ReportReceipt): void {
  const where = 'report receipt';
  checkDigest(digest, where);
  if (Buffer.compare(Buffer.from(receipt.reportDigest), Buffer.from(digest)) !== 0) {
    throw new CordonError('INVALID_SIGNATURE', `${where}: it is for a different report digest`);
  }
  const parsed = parseDetached(receipt.signature, where, RECEIPT_TYP);
  if (parsed.header.kid !== receipt.regulatorId) {
    throw new CordonError('INVALID_SIGNATURE', `${where}: signed by '${parsed.header.kid}', but names regulator '${receipt.regulatorId}'`);
  }
  const key = signerKey(membership, receipt.regulatorId, 'regulator', where);
  if (!verifyDetached(parsed, receiptStatement(receipt.regulatorId, digest, receipt.receivedMs), key)) {
    throw new CordonError('INVALID_SIGNATURE', `${where}: does not verify against ${receipt.regulatorId}'s key`);
  }
}
