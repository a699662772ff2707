import { CompactSign } from 'jose';
import fc from 'fast-check';
import { FEEDBACK_TYP, signFeedback, verifyFeedback } from '../../src/match/feedback.js';
import { fuzzConsortium, type MemberId } from './harness/consortium.js';
import { hostileJson, mutatedText } from './harness/mutate.js';
import { asyncOutcomeOf, invariant } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * Feedback JWS (a provider's verdict on an overlap, match/feedback.ts) as the
 * consortium receives it: real feedback, edited; and compact JWS whose
 * header and payload are arbitrary JSON but signed by a member's key, so the
 * payload schema is reached. Accepted feedback must be the caller's own,
 * typed as feedback, and fresh.
 */
const CALLER: MemberId = 'p1';
const OVERLAP = 'lt-0123456789abcdef0123456789abcdef';

export default defineTarget({
  name: 'feedback',
  covers: 'feedback JWS (verifyFeedback)',
  async prepare() {
    const consortium = fuzzConsortium();
    const membership = consortium.membership();
    const signer = fc.constantFrom<MemberId>('p1', 'p1', 'p2', 'c1');
    const real = await signFeedback({ overlap_id: OVERLAP, verdict: 'confirmed', note: 'seen it' }, { id: CALLER, key: consortium.keys.p1.privateKey });
    const nowS = () => Math.floor(Date.now() / 1000);
    const payload = fc.oneof(
      fc.record({ overlap_id: fc.oneof(fc.constant(OVERLAP), hostileJson), verdict: fc.oneof(fc.constantFrom('confirmed', 'false_positive'), hostileJson), note: fc.oneof(fc.string({ maxLength: 600 }), hostileJson), iat: fc.oneof(fc.integer({ min: -7200, max: 120 }).map((d) => nowS() + d), hostileJson), extra: hostileJson }, { requiredKeys: [] }),
      hostileJson,
    );
    const header = fc.record({ alg: fc.constant('EdDSA'), typ: fc.oneof(fc.constant(FEEDBACK_TYP), hostileJson), kid: fc.oneof(signer, hostileJson) }, { requiredKeys: ['alg'] });
    const arbitrary = fc.oneof(
      mutatedText(fc.constant(real), 4),
      fc.record({ header, payload, signer }).map(async ({ header, payload, signer }) => {
        try {
          return await new CompactSign(new TextEncoder().encode(JSON.stringify(payload) ?? '')).setProtectedHeader(header as never).sign(consortium.keys[signer].privateKey);
        } catch {
          return real; // jose refuses to sign some headers (crit, b64): nothing to test there
        }
      }),
      fc.string({ maxLength: 300 }),
    );
    return prepared({
      arbitrary,
      async check(input) {
        const jws = await input;
        return asyncOutcomeOf(() => verifyFeedback(jws, CALLER, membership), { kind: 'cordon', codes: ['INVALID_INPUT', 'INVALID_SIGNATURE', 'PERMISSION_DENIED'] }, (f) => {
          invariant(/^l[tm]-[0-9a-f]{32}$/.test(f.overlap_id), `accepted overlap id ${JSON.stringify(f.overlap_id)}`);
          invariant(Math.abs(nowS() - f.iat) <= 3600, `accepted feedback ${nowS() - f.iat} s old`);
        });
      },
    });
  },
});
