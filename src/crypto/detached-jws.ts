import { sign, verify, type KeyObject } from 'node:crypto';
import { CordonError } from '../errors.js';

/**
 * Detached JWS (compact, `header..signature`) with an unencoded payload
 * (RFC 7797, b64=false): the signing input is the protected header, a dot,
 * then the payload's exact bytes. Signers and verifiers never re-encode the
 * payload, so a batch's signature survives every hop byte for byte.
 *
 * Plain node:crypto Ed25519 on the hot path; test/unit/crypto checks the
 * output against jose's RFC 7797 implementation.
 */
export interface DetachedHeader { alg: 'EdDSA'; kid: string; b64: false; crit: ['b64']; typ?: string }

const DOT = Buffer.from('.');

function signingInput(protectedB64: string, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(protectedB64, 'ascii'), DOT, payload]);
}

export function signDetached(payload: Uint8Array, key: KeyObject, kid: string, typ?: string): string {
  const header: DetachedHeader = { alg: 'EdDSA', kid, b64: false, crit: ['b64'], ...(typ ? { typ } : {}) };
  const protectedB64 = Buffer.from(JSON.stringify(header)).toString('base64url');
  const signature = sign(null, signingInput(protectedB64, payload), key);
  return `${protectedB64}..${signature.toString('base64url')}`;
}

export interface ParsedDetached { header: DetachedHeader; protectedB64: string; signature: Buffer }

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Parses the compact detached form strictly; every failure names what is wrong.
 * `typ` is required and must match the header's: each kind of signed
 * statement has its own typ, so a signature made for one protocol (a batch, a
 * report, a PSI summary, an OPRF deal) never verifies as another.
 */
export function parseDetached(jws: string, where: string, typ: string): ParsedDetached {
  const bad = (what: string) => new CordonError('INVALID_SIGNATURE', `${where}: ${what}`);
  if (typeof jws !== 'string' || jws.length > 4096) throw bad('signature is not a compact detached JWS');
  const parts = jws.split('.');
  if (parts.length !== 3 || parts[1] !== '') throw bad('signature is not a compact detached JWS (header..signature)');
  const [protectedB64, , sigB64] = parts as [string, string, string];
  if (!B64URL.test(protectedB64) || !B64URL.test(sigB64)) throw bad('signature has characters outside base64url');
  let header: DetachedHeader;
  try {
    header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as DetachedHeader;
  } catch {
    throw bad('signature header is not JSON');
  }
  if (!header || typeof header !== 'object') throw bad('signature header is not an object');
  if (header.alg !== 'EdDSA') throw bad(`signature alg must be EdDSA, got ${JSON.stringify(header.alg)}`);
  if (header.b64 !== false || !Array.isArray(header.crit) || header.crit.length !== 1 || header.crit[0] !== 'b64') {
    throw bad('signature must use an unencoded payload (b64=false, crit ["b64"])');
  }
  if (typeof header.kid !== 'string' || header.kid === '') throw bad('signature header has no kid');
  const signature = Buffer.from(sigB64, 'base64url');
  if (signature.length !== 64) throw bad('Ed25519 signature must be 64 bytes');
  if (header.typ !== typ) throw bad(`typ must be ${typ}, got ${JSON.stringify(header.typ)}`);
  return { header, protectedB64, signature };
}

export function verifyDetached(parsed: ParsedDetached, payload: Uint8Array, key: KeyObject): boolean {
  return verify(null, signingInput(parsed.protectedB64, payload), key, parsed.signature);
}
