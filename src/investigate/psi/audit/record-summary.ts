import { create, toBinary } from '@bufbuild/protobuf';
import { createHash } from 'node:crypto';
import type { Sql } from 'postgres';
import { SignedPsiSummarySchema, type SignedPsiSummary } from '../../../gen/cordon/v1/psi_pb.js';
import { TransparencyLog } from '../../../audit/transparency-log.js';
import { CordonError } from '../../../errors.js';
import type { Membership } from '../../../federation/membership/membership.js';
import { MAX_CLOCK_SKEW_MS } from '../protocol/limits.js';
import { decodeSummary, refuseUnknownFields, verifySummarySignature } from '../protocol/summary.js';
import { insertLoggedSummary, lockSession, loggedSummary, type SessionKey } from './summary-store.js';

/** The transparency log leaf kind of a PSI summary. */
export const PSI_SUMMARY_KIND = 'psi_summary';

/**
 * Bytes of a 'psi_summary' leaf's entry (the re-encoded SignedPsiSummary).
 * An honest one is under 0.8 KiB: a summary of about 250 bytes with 63-char
 * member ids, and two detached signatures of about 270 characters each. Every
 * consortium log keeps it for ever, so anything much larger is refused.
 */
export const MAX_SUMMARY_ENTRY_BYTES = 2 * 1024;

export interface RecordedSummary { readonly leafIndex: bigint; readonly duplicate: boolean }

/** An active provider's key, or PERMISSION_DENIED naming why not. */
function providerKey(membership: Membership, id: string, where: string) {
  const m = membership.member(id);
  if (!m) throw new CordonError('PERMISSION_DENIED', `${where}: '${id}' is not a member`);
  if (m.status !== 'active') throw new CordonError('PERMISSION_DENIED', `${where}: member '${id}' is ${m.status}`);
  if (m.role !== 'provider') throw new CordonError('PERMISSION_DENIED', `${where}: '${id}' is a ${m.role}, not a provider`);
  return membership.activeKey(id)!;
}

/**
 * The entry a log keeps for a signed summary: re-encoded from its three
 * known fields only (unknown ones are refused, never carried), within
 * MAX_SUMMARY_ENTRY_BYTES.
 */
function canonicalEntry(signed: SignedPsiSummary, where: string): Uint8Array {
  refuseUnknownFields(signed, where);
  const entry = toBinary(SignedPsiSummarySchema, create(SignedPsiSummarySchema, {
    summary: signed.summary, initiatorSignature: signed.initiatorSignature, responderSignature: signed.responderSignature,
  }));
  if (entry.length > MAX_SUMMARY_ENTRY_BYTES) throw new CordonError('INVALID_INPUT', `${where}: ${entry.length} bytes exceeds the ${MAX_SUMMARY_ENTRY_BYTES}-byte limit`);
  return entry;
}

/**
 * A consortium node's check and append of a PSI summary: the caller must be
 * one of its two parties, both must be active providers, both signatures must
 * verify over the exact summary bytes, and the summary must be canonical,
 * well formed and not from the future. Then the signed summary, re-encoded
 * (canonicalEntry), becomes one 'psi_summary' leaf whose ref is the session
 * id. Once per session (its id and parties), atomically: the same entry again
 * answers the session's leaf as a duplicate; a different one is refused with
 * EQUIVOCATION (ALREADY_EXISTS), and nothing is appended.
 */
export async function recordPsiSummary(sql: Sql, membership: Membership, signed: SignedPsiSummary, callerId: string, nowMs = Date.now()): Promise<RecordedSummary> {
  const where = 'PSI summary';
  const entry = canonicalEntry(signed, where);
  const summary = decodeSummary(signed.summary, where);
  const session = Buffer.from(summary.sessionId).toString('hex');
  if (callerId !== summary.initiatorId && callerId !== summary.responderId) {
    throw new CordonError('PERMISSION_DENIED', `${where}: ${callerId} is not a party to session ${session}`);
  }
  if (summary.finishedMs > BigInt(nowMs + MAX_CLOCK_SKEW_MS)) throw new CordonError('INVALID_INPUT', `${where}: finishing time is in the future`);
  const initiatorKey = providerKey(membership, summary.initiatorId, where);
  const responderKey = providerKey(membership, summary.responderId, where);
  verifySummarySignature(signed.summary, signed.initiatorSignature, summary.initiatorId, initiatorKey, `${where}: initiator signature`);
  verifySummarySignature(signed.summary, signed.responderSignature, summary.responderId, responderKey, `${where}: responder signature`);

  const key: SessionKey = { sessionId: summary.sessionId, initiatorId: summary.initiatorId, responderId: summary.responderId };
  const digest = createHash('sha256').update(entry).digest();
  const log = new TransparencyLog(sql);
  return sql.begin(async (tx) => {
    await lockSession(tx, key);
    const held = await loggedSummary(tx, key);
    if (held) {
      if (Buffer.compare(Buffer.from(held.entryDigest), digest) === 0) return { leafIndex: held.leafIndex, duplicate: true };
      throw new CordonError('EQUIVOCATION', `${where}: session ${session} of ${key.initiatorId} and ${key.responderId} is already recorded (log index ${held.leafIndex}) with a different signed summary; a session is recorded once`);
    }
    // Leaf and session row commit together: a session is logged exactly once.
    const [index] = await log.appendIn(tx, [{ kind: PSI_SUMMARY_KIND, ref: session, entry }]);
    await insertLoggedSummary(tx, key, digest, index!);
    return { leafIndex: BigInt(index!), duplicate: false };
  });
}
