import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { CordonError } from '../../errors.js';
import type { Membership } from '../../federation/membership/membership.js';

/**
 * A provider's answer to a case: context about its own matching records,
 * signed with its node key (compact JWS, EdDSA) so the opener, and the
 * regulator after escalation, can check who said it and about which case.
 * Volume is a band, not a count: enough to size a campaign, too coarse to
 * reveal a customer's business.
 */
export const ANSWER_TYP = 'cordon-case-answer+jws';
export const VOLUME_BANDS = ['<1k', '1k-10k', '10k-100k', '100k-1m', '>1m'] as const;
export type VolumeBand = (typeof VOLUME_BANDS)[number];

export interface AnswerContext {
  readonly case_id: string;
  /** The answering provider. */
  readonly from: string;
  /** ISO time the provider first saw the matching accounts. */
  readonly first_seen?: string;
  /** Requests per day from the matching accounts, as a band. */
  readonly volume_band?: VolumeBand;
  readonly labels: readonly string[];
  readonly linked_accounts: number;
  readonly note?: string;
  readonly iat: number;
}

export async function signAnswer(ctx: Omit<AnswerContext, 'iat'>, key: KeyObject): Promise<string> {
  const body: AnswerContext = { ...ctx, iat: Math.floor(Date.now() / 1000) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(body))).setProtectedHeader({ alg: 'EdDSA', typ: ANSWER_TYP, kid: ctx.from }).sign(key);
}

/** Verifies an answer against its signer's key in the manifest and that it is about `caseId`. */
export async function verifyAnswer(jws: string, caseId: string, membership: Membership): Promise<AnswerContext> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch {
    throw new CordonError('INVALID_SIGNATURE', `case ${caseId}: an answer is not a JWS`);
  }
  const key = typeof kid === 'string' ? membership.activeKey(kid) : undefined;
  if (!key) throw new CordonError('INVALID_SIGNATURE', `case ${caseId}: an answer is signed by '${String(kid)}', not an active member`);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, key, { algorithms: ['EdDSA'] }));
  } catch (err) {
    throw new CordonError('INVALID_SIGNATURE', `case ${caseId}: answer from '${String(kid)}' has a bad signature (${(err as Error).message})`);
  }
  const ctx = JSON.parse(new TextDecoder().decode(payload)) as AnswerContext;
  if (ctx.case_id !== caseId || ctx.from !== kid) throw new CordonError('INVALID_SIGNATURE', `case ${caseId}: answer signed by '${String(kid)}' is about case '${ctx.case_id}' from '${ctx.from}'`);
  return ctx;
}
