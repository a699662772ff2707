import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { CordonError, fileProblem } from '../errors.js';

/**
 * Ed25519 identity keys as JWKs. The private JWK lives in one file readable
 * only by its owner (0600) and never leaves the node; members exchange the
 * public JWK, which is what the membership manifest lists.
 */
export interface PublicJwk { kty: 'OKP'; crv: 'Ed25519'; x: string }
export interface PrivateJwk extends PublicJwk { d: string }

export interface NodeKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: PublicJwk;
}

export function generateNodeKey(): { key: NodeKey; privateJwk: PrivateJwk } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateJwk = privateKey.export({ format: 'jwk' }) as unknown as PrivateJwk;
  return { key: { privateKey, publicKey, publicJwk: publicJwkOf(privateJwk) }, privateJwk };
}

export function publicJwkOf(jwk: PublicJwk): PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/** Validates a public Ed25519 JWK and returns its KeyObject; `where` names the source in errors. */
export function importPublicJwk(jwk: unknown, where: string): KeyObject {
  const j = jwk as Partial<PublicJwk> | null;
  if (!j || typeof j !== 'object' || j.kty !== 'OKP' || j.crv !== 'Ed25519' || typeof j.x !== 'string' || !B64URL_32.test(j.x)) {
    throw new CordonError('INVALID_INPUT', `${where}: not an Ed25519 public JWK (need kty OKP, crv Ed25519, x of 32 bytes)`);
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: j.x }, format: 'jwk' });
}

export async function writePrivateJwk(path: string, jwk: PrivateJwk): Promise<void> {
  await writeFile(path, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}

export async function readNodeKey(path: string): Promise<NodeKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CordonError('INVALID_CONFIG', `key file ${path}: ${fileProblem(err)}`);
  }
  let jwk: PrivateJwk;
  try {
    jwk = JSON.parse(text) as PrivateJwk;
  } catch {
    throw new CordonError('INVALID_CONFIG', `key file ${path}: not JSON`);
  }
  if (typeof jwk?.d !== 'string' || !B64URL_32.test(jwk.d)) throw new CordonError('INVALID_CONFIG', `key file ${path}: not an Ed25519 private JWK`);
  const publicKey = importPublicJwk(jwk, `key file ${path}`);
  const privateKey = createPrivateKey({ key: { ...jwk }, format: 'jwk' });
  return { privateKey, publicKey, publicJwk: publicJwkOf(jwk) };
}
