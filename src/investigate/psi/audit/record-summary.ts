import { toBinary } from '@bufbuild/protobuf';
import type { Sql } from 'postgres';
import { SignedPsiSummarySchema, type SignedPsiSummary } from '../../../gen/cordon/v1/psi_pb.js';
import { TransparencyLog } from '../../../audit/transparency-log.js';
import { CordonError } from '../../../errors.js';
import type { Membership } from '../../../federation/membership/membership.js';
import { MAX_CLOCK_SKEW_MS } from '../protocol/limits.js';
import { decodeSummary, verifySummarySignature } from '../protocol/summary.js';

/** The transparency log leaf kind of a PSI summary. */
export const PSI_SUMMARY_KIND = 'psi_summary';

/** An active provider's key, or PERMISSION_DENIED naming why not. */
function providerKey(membership: Membership, id: string, where: string) {
  const m = membership.member(id);
  if (!m) throw new CordonError('PERMISSION_DENIED', `${where}: '${id}' is not a member`);
  if (m.status !== 'active') throw new CordonError('PERMISSION_DENIED', `${where}: member '${id}' is ${m.status}`);
  if (m.role !== 'provider') throw new CordonError('PERMISSION_DENIED', `${where}: '${id}' is a ${m.role}, not a provider`);
  return membership.activeKey(id)!;
}

/**
 * A consortium node's check and append of a PSI summary: the caller must be
 * one of its two parties, both must be active providers, both signatures must
 * verify over the exact summary bytes, and the summary must be well formed
 * and not from the future. Then the signed summary (summary bytes and both
 * signatures, as SignedPsiSummary) becomes one 'psi_summary' leaf whose ref
 * is the session id. Returns the leaf's index.
 */
export async function recordPsiSummary(sql: Sql, membership: Membership, signed: SignedPsiSummary, callerId: string, nowMs = Date.now()): Promise<number> {
  const where = 'PSI summary';
  const summary = decodeSummary(signed.summary, where);
  if (callerId !== summary.initiatorId && callerId !== summary.responderId) {
    throw new CordonError('PERMISSION_DENIED', `${where}: ${callerId} is not a party to session ${Buffer.from(summary.sessionId).toString('hex')}`);
  }
  if (summary.finishedMs > BigInt(nowMs + MAX_CLOCK_SKEW_MS)) throw new CordonError('INVALID_INPUT', `${where}: finishing time is in the future`);
  const initiatorKey = providerKey(membership, summary.initiatorId, where);
  const responderKey = providerKey(membership, summary.responderId, where);
  verifySummarySignature(signed.summary, signed.initiatorSignature, summary.initiatorId, initiatorKey, `${where}: initiator signature`);
  verifySummarySignature(signed.summary, signed.responderSignature, summary.responderId, responderKey, `${where}: responder signature`);
  const entry = toBinary(SignedPsiSummarySchema, signed);
  const [index] = await new TransparencyLog(sql).append([{ kind: PSI_SUMMARY_KIND, ref: Buffer.from(summary.sessionId).toString('hex'), entry }]);
  return index!;
}
