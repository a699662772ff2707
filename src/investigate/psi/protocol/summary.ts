import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { KeyObject } from 'node:crypto';
import { PsiSummarySchema, type PsiMode, type PsiSummary } from '../../../gen/cordon/v1/psi_pb.js';
import { parseDetached, signDetached, verifyDetached } from '../../../crypto/detached-jws.js';
import { CordonError } from '../../../errors.js';
import { H2C_SUITE } from '../curve/hash-to-curve.js';
import { MAX_CLOCK_SKEW_MS, MAX_SET_SIZE, PSI_VERSION, SESSION_ID_BYTES } from './limits.js';
import { modeName } from './modes.js';
import { ELEMENT_KIND } from '../set/element-set.js';

/**
 * The transcript summary both parties sign: who, when, which mode, how many
 * elements each brought; never an element or a value derived from one. Its
 * serialized bytes are signed as they are (detached JWS, unencoded payload),
 * travel as bytes and enter the transparency log as bytes, so nobody
 * re-encodes them between signing and verifying.
 */
export const PSI_SUITE = `${H2C_SUITE}/X25519`;
export const PSI_SUMMARY_TYP = 'cordon-psi-summary';

export interface SummaryFields {
  sessionId: Uint8Array;
  mode: PsiMode;
  initiatorId: string;
  responderId: string;
  initiatorSetSize: number;
  responderSetSize: number;
  startedMs: number;
  finishedMs: number;
  elementKind: string;
}

export function encodeSummary(f: SummaryFields): Uint8Array {
  return toBinary(
    PsiSummarySchema,
    create(PsiSummarySchema, {
      version: PSI_VERSION,
      sessionId: f.sessionId,
      mode: f.mode,
      initiatorId: f.initiatorId,
      responderId: f.responderId,
      initiatorSetSize: BigInt(f.initiatorSetSize),
      responderSetSize: BigInt(f.responderSetSize),
      startedMs: BigInt(f.startedMs),
      finishedMs: BigInt(f.finishedMs),
      elementKind: f.elementKind,
      suite: PSI_SUITE,
    }),
  );
}

/**
 * Throws INVALID_INPUT naming the first field of `message` its schema does
 * not know: what a log or a signature keeps is only what its checks covered.
 */
export function refuseUnknownFields(message: { $typeName: string; $unknown?: readonly { no: number }[] }, where: string): void {
  const unknown = message.$unknown?.[0];
  if (unknown) throw new CordonError('INVALID_INPUT', `${where}: unknown field ${unknown.no} in ${message.$typeName}; only known fields are accepted`);
}

/**
 * Decodes and checks a summary on its own terms (version, suite, sizes,
 * times, element kind). Its bytes must be its canonical encoding (known
 * fields only, in order, each once): the bytes both parties sign are the
 * bytes a log keeps, so nothing may ride along that the checks did not see.
 * `where` names its source in errors.
 */
export function decodeSummary(bytes: Uint8Array, where: string): PsiSummary {
  let s: PsiSummary;
  try {
    s = fromBinary(PsiSummarySchema, bytes);
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `${where}: not a PsiSummary (${(err as Error).message})`);
  }
  refuseUnknownFields(s, where);
  const bad = (what: string) => new CordonError('INVALID_INPUT', `${where}: ${what}`);
  if (Buffer.compare(Buffer.from(toBinary(PsiSummarySchema, s)), Buffer.from(bytes)) !== 0) throw bad('is not in canonical encoding (known fields in order, each once, defaults omitted)');
  if (s.version !== PSI_VERSION) throw bad(`version ${s.version} is not ${PSI_VERSION}`);
  if (s.suite !== PSI_SUITE) throw bad(`suite '${s.suite}' is not ${PSI_SUITE}`);
  if (s.sessionId.length !== SESSION_ID_BYTES) throw bad(`session id must be ${SESSION_ID_BYTES} bytes`);
  modeName(s.mode);
  if (!ELEMENT_KIND.test(s.elementKind)) throw bad(`element kind '${s.elementKind.slice(0, 40)}' is not a kind name`);
  if (!s.initiatorId || !s.responderId || s.initiatorId === s.responderId) throw bad('needs two different parties');
  for (const [name, size] of [['initiator', s.initiatorSetSize], ['responder', s.responderSetSize]] as const) {
    if (size > BigInt(MAX_SET_SIZE)) throw bad(`${name} set size ${size} is above ${MAX_SET_SIZE}`);
  }
  if (s.finishedMs < s.startedMs) throw bad('finished before it started');
  return s;
}

export function signSummary(bytes: Uint8Array, key: KeyObject, signerId: string): string {
  return signDetached(bytes, key, signerId, PSI_SUMMARY_TYP);
}

/** Throws INVALID_SIGNATURE unless `jws` is `signerId`'s signature over exactly `bytes`. */
export function verifySummarySignature(bytes: Uint8Array, jws: string, signerId: string, publicKey: KeyObject, where: string): void {
  const parsed = parseDetached(jws, where, PSI_SUMMARY_TYP);
  if (parsed.header.kid !== signerId) throw new CordonError('INVALID_SIGNATURE', `${where}: signed by '${parsed.header.kid}', expected '${signerId}'`);
  if (!verifyDetached(parsed, bytes, publicKey)) throw new CordonError('INVALID_SIGNATURE', `${where}: does not verify against ${signerId}'s key`);
}

/**
 * The initiator's check of the summary the responder proposes: every field
 * must be what the initiator itself saw, and the finishing time plausible,
 * before it countersigns.
 */
export function checkProposedSummary(s: PsiSummary, expected: Omit<SummaryFields, 'finishedMs'>, nowMs: number, where: string): void {
  const mismatch = (field: string) => new CordonError('INVALID_INPUT', `${where}: ${field} differs from this session's`);
  if (Buffer.compare(Buffer.from(s.sessionId), Buffer.from(expected.sessionId)) !== 0) throw mismatch('session id');
  if (s.mode !== expected.mode) throw mismatch('mode');
  if (s.initiatorId !== expected.initiatorId) throw mismatch('initiator');
  if (s.responderId !== expected.responderId) throw mismatch('responder');
  if (s.initiatorSetSize !== BigInt(expected.initiatorSetSize)) throw mismatch('initiator set size');
  if (s.responderSetSize !== BigInt(expected.responderSetSize)) throw mismatch('responder set size');
  if (s.startedMs !== BigInt(expected.startedMs)) throw mismatch('start time');
  if (s.elementKind !== expected.elementKind) throw mismatch('element kind');
  if (s.finishedMs > BigInt(nowMs + MAX_CLOCK_SKEW_MS)) throw new CordonError('INVALID_INPUT', `${where}: finishing time is in the future`);
}
