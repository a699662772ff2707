import fc from 'fast-check';
import { sign } from 'node:crypto';
import { CallTokenVerifier, mintCallToken, TOKEN_TYP } from '../../src/federation/auth/call-token.js';
import type { ReplayCache } from '../../src/federation/auth/replay-cache.js';
import { fuzzConsortium, type MemberId } from './harness/consortium.js';
import { hostileJson, mutatedText } from './harness/mutate.js';
import { asyncOutcomeOf, invariant, stateUnchanged } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * Call tokens (the JWT on every gRPC call) as the callee sees them: mutated
 * real tokens, and tokens whose header and claims are arbitrary JSON but
 * correctly signed by a member's key, so claim validation is reached. A
 * refused token must leave the replay cache as it was (a flood of bad
 * tokens must not grow it), and an accepted one must be a fresh, correctly
 * addressed token of an active member.
 */
const SELF = 'c1';
const NOW = 1_750_000_000_000;
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export default defineTarget({
  name: 'call-token',
  covers: 'call token JWTs (CallTokenVerifier.verify)',
  async prepare() {
    const consortium = fuzzConsortium();
    const membership = consortium.membership();
    const verifier = new CallTokenVerifier(SELF, membership, NOW - 60_000);
    // The replay cache is private; its size is the state a refused token must not change.
    const replay = (verifier as unknown as { replay: ReplayCache }).replay;
    const caller = fc.constantFrom<MemberId>('p1', 'p1', 'c2', 'p2', 'p3', 'r1');
    const iat = Math.floor(NOW / 1000);
    const claims = fc.record({
      iss: fc.oneof(caller, hostileJson), aud: fc.oneof(fc.constant(SELF), fc.constant([SELF]), hostileJson),
      iat: fc.oneof(fc.integer({ min: iat - 120, max: iat + 120 }), hostileJson), exp: fc.oneof(fc.integer({ min: iat - 60, max: iat + 120 }), hostileJson),
      jti: fc.oneof(fc.base64String({ minLength: 16, maxLength: 70 }), hostileJson), extra: hostileJson,
    }, { requiredKeys: [] });
    const header = fc.record({ alg: fc.oneof(fc.constant('EdDSA'), fc.constantFrom('none', 'HS256', 'ES256'), hostileJson), kid: fc.oneof(caller, hostileJson), typ: fc.oneof(fc.constant(TOKEN_TYP), hostileJson), crit: hostileJson }, { requiredKeys: [] });
    const arbitrary = fc.oneof(
      // A real token, then edited.
      fc.record({ caller, audience: fc.constantFrom(SELF, 'c2'), lifetime: fc.constantFrom(30, 60, 61, 3600) })
        .chain((t) => mutatedText(fc.constant(mintCallToken(t.caller, consortium.keys[t.caller].privateKey, t.audience, NOW, t.lifetime)), 3)),
      // Hostile header and claims, signed by a member (or another) key.
      fc.record({ header: fc.oneof(header, hostileJson), claims: fc.oneof(claims, hostileJson), signer: caller })
        .map(({ header, claims, signer }) => {
          const input = `${b64(header)}.${b64(claims)}`;
          return `${input}.${sign(null, Buffer.from(input), consortium.keys[signer].privateKey).toString('base64url')}`;
        }),
      fc.string({ maxLength: 300 }),
    );
    return prepared({
      arbitrary,
      async check(token) {
        const before = replay.size;
        return asyncOutcomeOf(() => verifier.verify(token, NOW), { kind: 'cordon', codes: ['UNAUTHENTICATED', 'PERMISSION_DENIED'] }, (member) => {
          invariant(member.status === 'active', `accepted a token of ${member.status} member ${member.id}`);
          invariant(replay.size === before + 1, 'an accepted token was not remembered against replay');
        }).then((outcome) => {
          if (outcome !== 'accepted') stateUnchanged(replay.size === before, `the replay cache went from ${before} to ${replay.size} entries`);
          return outcome;
        });
      },
    });
  },
});
