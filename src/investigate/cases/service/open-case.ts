import { create, type MessageShape } from '@bufbuild/protobuf';
import { setTimeout as sleep } from 'node:timers/promises';
import { CordonError } from '../../../errors.js';
import { OpenCaseResponseSchema, type OpenCaseRequestSchema } from '../../../gen/cordon/v1/investigations_pb.js';
import { chargeQuery } from '../../budget/query-budget.js';
import { caseHolders } from '../case-holders.js';
import { parseCaseQuery, queryCost } from '../case-query.js';
import { keepRecipients, parseCaseJwe, recipientIds } from '../envelope.js';
import { newCaseId } from '../lifecycle.js';
import { queryEntry } from '../log-entries.js';
import { checkSalt, commitQuery } from '../query-commitment.js';
import * as store from '../store/case-store.js';
import type { InvestigationEnv } from './investigation-service.js';

/**
 * OpenCase answers (or fails) no sooner than this after it starts: the work
 * after matching grows with the providers asked (records verified, rows
 * stored, watchers woken), and its latency must not count them (never tell
 * the opener who was asked). Measured: ~30 ms median for a whole OpenCase
 * round trip on a loaded two-core machine, holders adding ~2–3 ms; the
 * floor is several times that, and still nothing next to an analyst opening
 * a case (a busier node that passes it leaks less than it varies).
 */
export const OPEN_CASE_FLOOR_MS = 100;

type OpenCaseRequest = MessageShape<typeof OpenCaseRequestSchema>;

/** OpenCase with its answer held to the floor, failures included. */
export async function openCaseAtFloor(env: InvestigationEnv, req: OpenCaseRequest, opener: string) {
  const started = performance.now();
  try {
    return await openCase(env, req, opener);
  } finally {
    await sleep(Math.max(0, OPEN_CASE_FLOOR_MS - (performance.now() - started)));
  }
}

/**
 * Opens a case: checks the query, the purpose (encrypted to every provider)
 * and the salt, matches, then in one transaction charges the budget, stores
 * the case with its participants and the purpose readable by them only,
 * and logs the query as a commitment under the opener's salt (which is
 * stored nowhere).
 */
async function openCase(env: InvestigationEnv, req: OpenCaseRequest, opener: string) {
  const { sql, membership } = env;
  const query = parseCaseQuery(req, 'OpenCase');
  const purpose = parseCaseJwe(req.purposeJwe, 'OpenCase: purpose_jwe', { kind: 'purpose', from: opener });
  // Checked against every provider, before matching: the error can name who is missing without saying who matched.
  const providers = membership.members('provider').filter((m) => m.enc_jwk).map((m) => m.id);
  const addressed = new Set(recipientIds(purpose));
  const missing = providers.filter((id) => !addressed.has(id));
  if (!providers.includes(opener)) throw new CordonError('PERMISSION_DENIED', `OpenCase: '${opener}' has no encryption key (enc_jwk) in the manifest, so it could not read its own case`);
  if (missing.length > 0) {
    throw new CordonError('INVALID_INPUT', `OpenCase: purpose_jwe must be encrypted to every active provider with an encryption key (the node asks only those whose records match, which the opener cannot know); missing: ${missing.join(', ')}`);
  }
  const commitment = commitQuery(checkSalt(req.querySalt, 'OpenCase: query_salt'), req);
  const holders = await caseHolders(sql, env.matcher, opener, query);
  const asked = [...holders].filter(([id]) => providers.includes(id));
  const participants = new Set([opener, ...asked.map(([id]) => id)]);
  // Entries for everyone else are dropped before anything is stored: only participants can ever read the purpose.
  const stored = keepRecipients(purpose, participants);
  const caseId = newCaseId();
  const at = (env.now ?? (() => new Date()))();
  const policy = membership.manifest.policy.investigation;
  let remaining = 0;
  let logIndex = 0;
  await sql.begin(async (tx) => {
    // First: a query over budget rolls back here, before anything is written.
    const grant = await chargeQuery(tx, { provider: opener, cost: queryCost(query), missed: asked.length === 0, limit: policy.query_tokens_per_day, now: at });
    remaining = grant.remaining;
    await store.insertCase(tx, { caseId, opener });
    await store.insertParticipants(tx, caseId, [{ member: opener, role: 'opener' }, ...asked.map(([member, records]) => ({ member, role: 'asked' as const, ownRecordIds: [...records].sort() }))]);
    await store.insertMessage(tx, caseId, { kind: 'purpose', sender: opener, recipients: recipientIds(stored), jwe: JSON.stringify(stored) });
    [logIndex] = (await env.log.appendIn(tx, [queryEntry({ node: env.nodeId, provider: opener, caseId, query, commitment, day: grant.day, usedToday: grant.used, at })])) as [number];
  });
  env.hub.publish(asked.map(([id]) => id));
  return create(OpenCaseResponseSchema, { caseId, remainingToday: BigInt(remaining), logIndex: BigInt(logIndex) });
}
