import { generateKeyPairSync } from 'node:crypto';
import { FlattenedSign, flattenedVerify, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseDetached, signDetached, verifyDetached } from '../../../src/crypto/detached-jws.js';
import { mintCallToken } from '../../../src/federation/auth/call-token.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

describe('detached JWS with unencoded payload (RFC 7797)', () => {
  const payload = new Uint8Array([0, 1, 2, 250, 251, 46, 46, 0]);

  it('verifies with jose over the same bytes', async () => {
    const jws = signDetached(payload, privateKey, 'p1', 'cordon-test');
    const [protectedB64, empty, signature] = jws.split('.');
    expect(empty).toBe('');
    const { protectedHeader } = await flattenedVerify({ protected: protectedB64!, payload, signature: signature! }, publicKey);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: 'p1', b64: false, crit: ['b64'] });
  });

  it('verifies what jose signs, and refuses any changed byte', async () => {
    const jws = await new FlattenedSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: 'p1', b64: false, crit: ['b64'], typ: 'cordon-test' }).sign(privateKey);
    const parsed = parseDetached(`${jws.protected}..${jws.signature}`, 'sig', 'cordon-test');
    expect(verifyDetached(parsed, payload, publicKey)).toBe(true);
    for (let i = 0; i < payload.length; i++) {
      const changed = Uint8Array.from(payload);
      changed[i]! ^= 1;
      expect(verifyDetached(parsed, changed, publicKey)).toBe(false);
    }
  });

  it.each([
    ['', /compact detached JWS/],
    ['a.b.c', /header\.\.signature/],
    ['a..b..c', /compact detached/],
    ['!!..AA', /base64url/],
    [`${Buffer.from('{"alg":"none"}').toString('base64url')}..${'A'.repeat(86)}`, /alg must be EdDSA/],
    [`${Buffer.from('{"alg":"EdDSA","kid":"p1"}').toString('base64url')}..${'A'.repeat(86)}`, /b64=false/],
    [`${Buffer.from('{"alg":"EdDSA","b64":false,"crit":["b64"]}').toString('base64url')}..${'A'.repeat(86)}`, /no kid/],
    [`${Buffer.from('{"alg":"EdDSA","kid":"p","b64":false,"crit":["b64"]}').toString('base64url')}..AAAA`, /64 bytes/],
    [`${Buffer.from('not json').toString('base64url')}..AAAA`, /not JSON/],
    [signDetached(payload, privateKey, 'p1', 'cordon-report+jws'), /typ must be cordon-test, got "cordon-report\+jws"/],
    [signDetached(payload, privateKey, 'p1'), /typ must be cordon-test, got undefined/],
  ])('rejects malformed signature %#', (jws, message) => {
    expect(() => parseDetached(jws, 'sig', 'cordon-test')).toThrow(message);
  });
});

describe('call tokens', () => {
  it('are standard EdDSA JWTs that jose accepts, for one audience, living 30 s', async () => {
    const token = mintCallToken('p1', privateKey, 'c1');
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, { audience: 'c1', issuer: 'p1' });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: 'p1' });
    expect(payload.exp! - payload.iat!).toBe(30);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await expect(jwtVerify(token, publicKey, { audience: 'c2' })).rejects.toThrow();
  });
});
