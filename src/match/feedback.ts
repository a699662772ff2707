import { compactVerify, CompactSign } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { z } from 'zod';
import { CordonError, firstIssue } from '../errors.js';
import type { Membership } from '../federation/membership/membership.js';
import type { MatchEnv } from './match-env.js';
import { scoreOf } from './reconcile.js';
import type { NewAlert } from './store/alerts.js';
import { campaignsById, feedbackCounts } from './store/campaigns.js';
import { linksById } from './store/links.js';

/** JWS `typ` of feedback, so no other signed object can pass for one. */
export const FEEDBACK_TYP = 'cordon-feedback+jws';
/** Feedback older than this is refused: a verdict is an act, not an archive. */
const MAX_FEEDBACK_AGE_S = 3600;
const MAX_FEEDBACK_JWS_BYTES = 8192;

export const feedbackPayloadSchema = z
  .object({
    overlap_id: z.string().regex(/^l[tm]-[0-9a-f]{32}$/, 'must be an overlap id (lt-… or lm-…)'),
    verdict: z.enum(['confirmed', 'false_positive']),
    note: z.string().max(500).optional(),
    iat: z.number().int(),
  })
  .strict();
export type FeedbackPayload = z.infer<typeof feedbackPayloadSchema>;

/** Signs feedback with a provider's node key (the CLI's side). */
export async function signFeedback(payload: Omit<FeedbackPayload, 'iat'>, signer: { id: string; key: KeyObject }): Promise<string> {
  const body: FeedbackPayload = { ...payload, iat: Math.floor(Date.now() / 1000) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(body))).setProtectedHeader({ alg: 'EdDSA', typ: FEEDBACK_TYP, kid: signer.id }).sign(signer.key);
}

/** Verifies feedback signed by `callerId` itself; returns its payload. Errors name what is wrong. */
export async function verifyFeedback(jws: string, callerId: string, membership: Membership): Promise<FeedbackPayload> {
  if (jws.length === 0 || jws.length > MAX_FEEDBACK_JWS_BYTES) throw new CordonError('INVALID_INPUT', `feedback: the JWS must be 1–${MAX_FEEDBACK_JWS_BYTES} bytes`);
  const key = membership.activeKey(callerId);
  if (!key) throw new CordonError('PERMISSION_DENIED', `feedback: '${callerId}' has no active key`);
  let verified;
  try {
    verified = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
  } catch (err) {
    throw new CordonError('INVALID_SIGNATURE', `feedback: not a valid JWS signed by ${callerId} (${(err as Error).message})`);
  }
  if (verified.protectedHeader.typ !== FEEDBACK_TYP || verified.protectedHeader.kid !== callerId) {
    throw new CordonError('INVALID_SIGNATURE', `feedback: header must have typ ${FEEDBACK_TYP} and kid ${callerId}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    throw new CordonError('INVALID_INPUT', 'feedback: payload is not JSON');
  }
  const parsed = feedbackPayloadSchema.safeParse(json);
  if (!parsed.success) throw new CordonError('INVALID_INPUT', `feedback: ${firstIssue(parsed.error)}`);
  const age = Math.floor(Date.now() / 1000) - parsed.data.iat;
  if (age > MAX_FEEDBACK_AGE_S || age < -60) throw new CordonError('INVALID_INPUT', `feedback: iat is ${age} s old (must be within ${MAX_FEEDBACK_AGE_S} s)`);
  return parsed.data;
}

/**
 * Records a provider's verdict on an overlap it is part of, rescores the
 * campaign, and tells the other participating providers of the overlap
 * (match-env.ts: none goes to a suspended or revoked one). Returns the alerts
 * to insert (same transaction) and the campaign's new score. The alert ids
 * are keyed (ids.ts): they cover the sender, which 'count' disclosure withholds.
 */
export async function applyFeedback(tx: TransactionSql, providerId: string, f: FeedbackPayload, jws: string, env: MatchEnv): Promise<{ alerts: NewAlert[]; campaignId: string; score: number }> {
  const link = (await linksById(tx, [f.overlap_id])).get(f.overlap_id);
  // Same answer whether the overlap does not exist or the provider is not in it: no probing by feedback.
  if (!link || link.withdrawn_at || !link.providers.includes(providerId) || link.providers.length < 2) {
    throw new CordonError('NOT_FOUND', `feedback: overlap ${f.overlap_id} is not an active overlap involving ${providerId}`);
  }
  await tx`
    INSERT INTO feedback (link_id, provider_id, verdict, jws, signed_at)
    VALUES (${f.overlap_id}, ${providerId}, ${f.verdict}, ${jws}, ${new Date(f.iat * 1000)})
    ON CONFLICT (link_id, provider_id) DO UPDATE SET verdict = EXCLUDED.verdict, jws = EXCLUDED.jws, signed_at = EXCLUDED.signed_at, received_at = now()`;
  let score = 0;
  const campaignId = link.campaign_id ?? '';
  const campaign = campaignId ? (await campaignsById(tx, [campaignId])).get(campaignId) : undefined;
  if (campaign) {
    const counts = (await feedbackCounts(tx, [campaignId])).get(campaignId) ?? { confirmed: 0, false_positive: 0 };
    score = scoreOf({ ...campaign, ...counts });
    await tx`UPDATE campaigns SET confirmed = ${counts.confirmed}, false_positive = ${counts.false_positive}, score = ${score}, updated_at = now() WHERE campaign_id = ${campaignId}`;
    await tx`INSERT INTO campaign_events (campaign_id, kind, detail) VALUES (${campaignId}, 'feedback', ${tx.json({ verdict: f.verdict, overlap_id: f.overlap_id })})`;
  }
  const alerts: NewAlert[] = link.providers
    .filter((p) => p !== providerId && env.participates(p))
    .map((p) => ({
      alertId: env.ids.alert('feedback', p, f.overlap_id, providerId, f.verdict),
      recipient: p,
      kind: 'feedback' as const,
      linkId: f.overlap_id,
      ...(campaignId ? { campaignId } : {}),
      facts: { link_id: f.overlap_id, verdict: f.verdict, feedback_from: providerId, ...(campaignId ? { campaign_id: campaignId, campaign_score: score } : {}) },
    }));
  return { alerts, campaignId, score };
}
