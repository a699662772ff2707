import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, errors as joseErrors } from 'jose';
import { CordonError } from '../../errors.js';
import type { Membership } from '../membership/membership.js';
import type { Member } from '../membership/schema.js';
import { ReplayCache } from './replay-cache.js';

/**
 * Short-lived call tokens: every gRPC call carries a fresh EdDSA JWT minted by
 * the caller for exactly one callee (aud), valid for at most MAX_TOKEN_LIFETIME_S,
 * with a jti the callee remembers until it expires so a captured token
 * cannot be replayed.
 */
/** Upper bound on exp − iat; the design caps call tokens at 60 s. */
export const MAX_TOKEN_LIFETIME_S = 60;
/** What callers use: long enough for a slow call, short enough to bound replay. */
export const TOKEN_LIFETIME_S = 30;
/** Tolerated clock difference between nodes. */
export const CLOCK_SKEW_S = 5;
export const TOKEN_TYP = 'cordon-call+jwt';

/**
 * Mints a call token synchronously with node:crypto (a JWT is three base64url
 * parts), so a client's calls leave in the order it makes them. Verification
 * uses jose; the unit tests check jose accepts what this mints.
 */
export function mintCallToken(callerId: string, key: KeyObject, audience: string, now = Date.now(), lifetimeS = TOKEN_LIFETIME_S): string {
  const iat = Math.floor(now / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: callerId, typ: TOKEN_TYP })).toString('base64url');
  const claims = { iss: callerId, aud: audience, iat, exp: iat + lifetimeS, jti: randomBytes(16).toString('base64url') };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign(null, Buffer.from(`${header}.${body}`), key).toString('base64url');
  return `${header}.${body}.${signature}`;
}

const unauthenticated = (what: string) => new CordonError('UNAUTHENTICATED', `call token: ${what}`);

/**
 * The one answer to every refusal decided before a signature verifies: an
 * unknown signer, a listed member (active or not) whose key does not verify
 * the token, and a forged token all read alike, so a caller without a
 * member's key cannot tell which ids are members, revoked or active.
 */
export const NOT_ACCEPTED = 'not accepted (its signer is unknown here or its signature does not verify)';

/**
 * An unknown signer's token is still checked, against a key nobody holds, so
 * that refusing it takes the time refusing a bad signature does.
 */
const DECOY_KEY: KeyObject = generateKeyPairSync('ed25519').publicKey;

/**
 * Verifies call tokens for one node. `startedAt` refuses tokens issued before
 * this process started: the replay cache lives in memory, and callers mint a
 * fresh token per call, so an older token can only be a replay.
 */
export class CallTokenVerifier {
  private readonly replay = new ReplayCache();

  constructor(
    private readonly selfId: string,
    private readonly membership: Membership,
    private readonly startedAt = Date.now(),
  ) {}

  /** Returns the calling member, or throws UNAUTHENTICATED / PERMISSION_DENIED naming the reason. */
  async verify(token: string | undefined, now = Date.now()): Promise<Member> {
    if (!token) throw unauthenticated('missing (send authorization: Bearer <jwt>)');
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'EdDSA') throw unauthenticated(`alg must be EdDSA, got ${String(header.alg)}`);
      if (header.typ !== TOKEN_TYP) throw unauthenticated(`typ must be ${TOKEN_TYP}`);
      kid = header.kid;
    } catch (err) {
      if (err instanceof CordonError) throw err;
      throw unauthenticated('not a JWT');
    }
    if (!kid) throw unauthenticated('header has no kid');
    // Nothing below may depend on whether `kid` is a member until the signature verifies.
    const member = this.membership.member(kid);
    const key = (member && this.membership.listedKey(kid)) ?? DECOY_KEY;
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        audience: this.selfId,
        issuer: kid,
        clockTolerance: CLOCK_SKEW_S,
        maxTokenAge: MAX_TOKEN_LIFETIME_S + CLOCK_SKEW_S,
        requiredClaims: ['iat', 'exp', 'jti', 'aud', 'iss'],
        currentDate: new Date(now),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed || !member) throw unauthenticated(NOT_ACCEPTED);
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated(`${err.claim} claim rejected (${err.reason})${err.claim === 'aud' ? `: not for ${this.selfId}` : ''}`);
      throw unauthenticated((err as Error).message);
    }
    // The signer holds this member's key: it may learn its own status.
    if (!member || member.status !== 'active') throw new CordonError('PERMISSION_DENIED', `call token: member '${kid}' is ${member?.status ?? 'unknown'}`);
    const iat = payload.iat!;
    const exp = payload.exp!;
    if (exp - iat > MAX_TOKEN_LIFETIME_S) throw unauthenticated(`lifetime ${exp - iat} s exceeds ${MAX_TOKEN_LIFETIME_S} s`);
    if (iat * 1000 < this.startedAt - CLOCK_SKEW_S * 1000) throw unauthenticated('issued before this node started (replay?)');
    if (typeof payload.jti !== 'string' || payload.jti.length < 16 || payload.jti.length > 64) throw unauthenticated('jti must be 16–64 characters');
    if (!this.replay.remember(`${kid}/${payload.jti}`, (exp + CLOCK_SKEW_S) * 1000, now)) throw unauthenticated('replayed (jti already used)');
    return member;
  }
}
