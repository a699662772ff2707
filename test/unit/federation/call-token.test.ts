import { describe, expect, it } from 'vitest';
import { generateNodeKey } from '../../../src/crypto/keys.js';
import { CallTokenVerifier, mintCallToken, NOT_ACCEPTED } from '../../../src/federation/auth/call-token.js';
import { CordonError } from '../../../src/errors.js';
import { fuzzConsortium } from '../../fuzz/harness/consortium.js';

const NOW = 1_750_000_000_000;

async function refusal(verifier: CallTokenVerifier, token: string): Promise<{ code: string; message: string }> {
  try {
    await verifier.verify(token, NOW);
  } catch (err) {
    if (err instanceof CordonError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('the token was accepted');
}

describe('call token refusals', () => {
  const consortium = fuzzConsortium();
  const verifier = new CallTokenVerifier('c1', consortium.membership(), NOW - 60_000);
  const outsider = generateNodeKey().key.privateKey;

  it('reads alike for unknown, revoked, suspended and active ids until a signature verifies', async () => {
    // A caller without the member's key: the same answer whatever the id is.
    const answers = await Promise.all(['mallory', 'p2', 'p3', 'p1', 'c2'].map((id) => refusal(verifier, mintCallToken(id, outsider, 'c1', NOW))));
    for (const answer of answers) expect(answer).toEqual({ code: 'UNAUTHENTICATED', message: `call token: ${NOT_ACCEPTED}` });
  });

  it('tells an inactive member its status once its own key signed the token', async () => {
    expect(await refusal(verifier, mintCallToken('p2', consortium.keys.p2.privateKey, 'c1', NOW))).toEqual({ code: 'PERMISSION_DENIED', message: "call token: member 'p2' is revoked" });
    expect(await refusal(verifier, mintCallToken('p3', consortium.keys.p3.privateKey, 'c1', NOW))).toEqual({ code: 'PERMISSION_DENIED', message: "call token: member 'p3' is suspended" });
    await expect(verifier.verify(mintCallToken('p1', consortium.keys.p1.privateKey, 'c1', NOW), NOW)).resolves.toMatchObject({ id: 'p1' });
  });
});
