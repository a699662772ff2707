import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CordonError } from '../errors.js';

/**
 * A node's X25519 encryption key, for receiving secrets (JWE, ECDH-ES): the
 * consortium secret today, case messages later. Separate from the Ed25519
 * identity key (keys.ts): one key, one purpose. The private JWK lives in one
 * file readable only by its owner (0600); the public JWK goes into the
 * node's member entry (`enc_jwk`) and into `enc.pub.jwk` beside it.
 */
export interface EncPublicJwk { kty: 'OKP'; crv: 'X25519'; x: string }
export interface EncPrivateJwk extends EncPublicJwk { d: string }

export interface EncryptionKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: EncPublicJwk;
  /** RFC 7638 thumbprint of the public JWK (SHA-256, base64url): names the key in JWE headers. */
  readonly thumbprint: string;
}

/** File names inside a node's directory. */
export const ENC_KEY_FILE = 'enc-key.jwk';
export const ENC_PUBLIC_FILE = 'enc.pub.jwk';

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

export function encPublicJwkOf(jwk: EncPublicJwk): EncPublicJwk {
  return { kty: 'OKP', crv: 'X25519', x: jwk.x };
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an X25519 public key. */
export function encKeyThumbprint(jwk: EncPublicJwk): string {
  // Required members in lexicographic order, no whitespace (RFC 7638 §3.2, RFC 8037 §2).
  return createHash('sha256').update(`{"crv":"X25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
}

export function generateEncryptionKey(): { key: EncryptionKey; privateJwk: EncPrivateJwk } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const exported = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  const privateJwk: EncPrivateJwk = { kty: 'OKP', crv: 'X25519', x: exported.x, d: exported.d };
  const publicJwk = encPublicJwkOf(privateJwk);
  return { key: { privateKey, publicKey, publicJwk, thumbprint: encKeyThumbprint(publicJwk) }, privateJwk };
}

/**
 * Validates a public X25519 JWK (kty OKP, crv X25519, x of 32 bytes, no
 * private part) and returns it trimmed to its public members; `where` names
 * the source in errors.
 */
export function parseEncPublicJwk(jwk: unknown, where: string): EncPublicJwk {
  const j = jwk as Partial<EncPrivateJwk> | null;
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new CordonError('INVALID_INPUT', `${where}: not a JWK (need a JSON object)`);
  if (j.kty !== 'OKP' || j.crv !== 'X25519') {
    throw new CordonError('INVALID_INPUT', `${where}: not an X25519 encryption key (need kty OKP, crv X25519; got kty ${String(j.kty)}, crv ${String(j.crv)})`);
  }
  if (typeof j.x !== 'string' || !B64URL_32.test(j.x)) throw new CordonError('INVALID_INPUT', `${where}: x must be 32 bytes, base64url`);
  if ('d' in j) throw new CordonError('INVALID_INPUT', `${where}: holds a private key (d); send only the public JWK`);
  return { kty: 'OKP', crv: 'X25519', x: j.x };
}

/** A validated public X25519 JWK as a KeyObject. */
export function importEncPublicJwk(jwk: unknown, where: string): KeyObject {
  const pub = parseEncPublicJwk(jwk, where);
  try {
    return createPublicKey({ key: { ...pub }, format: 'jwk' });
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `${where}: not a usable X25519 public key (${(err as Error).message})`);
  }
}

/** Writes a private JWK readable only by its owner; refuses to overwrite an existing file. */
export async function writeEncPrivateJwk(path: string, jwk: EncPrivateJwk): Promise<void> {
  await writeFile(path, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}

export async function readEncryptionKey(path: string): Promise<EncryptionKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CordonError('INVALID_CONFIG', `encryption key ${path}: ${code === 'ENOENT' ? 'does not exist (cordon init creates it beside key.jwk)' : (err as Error).message}`);
  }
  let jwk: Partial<EncPrivateJwk>;
  try {
    jwk = JSON.parse(text) as Partial<EncPrivateJwk>;
  } catch {
    throw new CordonError('INVALID_CONFIG', `encryption key ${path}: not JSON`);
  }
  if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'X25519' || typeof jwk.x !== 'string' || !B64URL_32.test(jwk.x) || typeof jwk.d !== 'string' || !B64URL_32.test(jwk.d)) {
    throw new CordonError('INVALID_CONFIG', `encryption key ${path}: not an X25519 private JWK (need kty OKP, crv X25519, x and d of 32 bytes)`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', x: jwk.x, d: jwk.d }, format: 'jwk' });
  } catch (err) {
    throw new CordonError('INVALID_CONFIG', `encryption key ${path}: ${(err as Error).message}`);
  }
  const publicKey = createPublicKey(privateKey);
  // The stored x must be d's public key: a mismatch would make every JWE addressed to x undecryptable here.
  const derivedX = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
  if (derivedX !== jwk.x) throw new CordonError('INVALID_CONFIG', `encryption key ${path}: x does not match d`);
  const publicJwk: EncPublicJwk = { kty: 'OKP', crv: 'X25519', x: jwk.x };
  return { privateKey, publicKey, publicJwk, thumbprint: encKeyThumbprint(publicJwk) };
}

/**
 * Creates a node's encryption key in `dir`: `enc-key.jwk` (private, 0600) and
 * `enc.pub.jwk` (public, 0644, to hand to whoever issues secrets). Refuses to
 * overwrite either. Returns the public JWK for the member entry's `enc_jwk`.
 */
export async function createNodeEncryptionKey(dir: string): Promise<EncPublicJwk> {
  const { key, privateJwk } = generateEncryptionKey();
  await writeEncPrivateJwk(join(dir, ENC_KEY_FILE), privateJwk);
  await writeFile(join(dir, ENC_PUBLIC_FILE), JSON.stringify(key.publicJwk, null, 2) + '\n', { mode: 0o644, flag: 'wx' });
  return key.publicJwk;
}
