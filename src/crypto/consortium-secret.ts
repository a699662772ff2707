import { randomBytes } from 'node:crypto';
import type { EncryptionKey } from './encryption-key.js';
import { consortiumSecretId, CONSORTIUM_SECRET_BYTES, SharedKeyPrf } from './prf/shared-key-prf.js';
import {
  inspectSealedKey, loadSealedKey, openSealedKey, sealKey,
  type OpenOptions, type SealedKeyEnvelope, type SealedKeyKind, type SealOptions,
} from './sealed-key.js';

export { readSecretJweFile, writeSecretJweFile } from './sealed-key.js';

/**
 * The consortium secret (shared-key token mode, DESIGN §4) and its
 * distribution: 32 random bytes, encrypted to each member's X25519 key as a
 * compact JWE (ECDH-ES+A256KW, A256GCM; the format is sealed-key.ts's), typ
 * 'cordon-secret+jwe', kept on disk as `consortium-secret.jwe` (0600) and
 * decrypted into memory only when the node starts. Its public id
 * (consortiumSecretId) is the header's cordon_secret_id.
 */

export const CONSORTIUM_SECRET_FILE = 'consortium-secret.jwe';
export const SECRET_JWE_TYP = 'cordon-secret+jwe';

export const CONSORTIUM_SECRET_KIND: SealedKeyKind = {
  noun: 'consortium secret',
  label: 'secret',
  typ: SECRET_JWE_TYP,
  file: CONSORTIUM_SECRET_FILE,
  bytes: CONSORTIUM_SECRET_BYTES,
  idOf: consortiumSecretId,
  installHint: (nodeDir) => `install the consortium secret: cordon secret install --node ${nodeDir} FILE.jwe`,
};

export type SecretEnvelope = SealedKeyEnvelope;
export type EncryptSecretOptions = SealOptions;
export type DecryptSecretOptions = OpenOptions;

export function generateConsortiumSecret(): Uint8Array {
  return new Uint8Array(randomBytes(CONSORTIUM_SECRET_BYTES));
}

export function encryptConsortiumSecret(secret: Uint8Array, options: EncryptSecretOptions): Promise<string> {
  return sealKey(CONSORTIUM_SECRET_KIND, secret, options);
}

/** Reads a secret JWE's protected header without decrypting; see inspectSealedKey. */
export function inspectSecretJwe(jwe: string, where = 'secret'): SecretEnvelope {
  return inspectSealedKey(CONSORTIUM_SECRET_KIND, jwe, where);
}

/** Decrypts a secret JWE with the recipient's encryption key; see openSealedKey for the errors. */
export async function decryptConsortiumSecret(jwe: string, key: EncryptionKey, options: DecryptSecretOptions = {}): Promise<{ secret: Uint8Array; envelope: SecretEnvelope }> {
  const opened = await openSealedKey(CONSORTIUM_SECRET_KIND, jwe, key, options);
  return { secret: opened.key, envelope: opened.envelope };
}

/**
 * Decrypts a node's installed consortium secret into memory: NODE_DIR/enc-key.jwk
 * and NODE_DIR/consortium-secret.jwe.
 */
export async function loadConsortiumSecret(nodeDir: string, options: { memberId?: string } = {}): Promise<{ secret: Uint8Array; envelope: SecretEnvelope }> {
  const loaded = await loadSealedKey(CONSORTIUM_SECRET_KIND, nodeDir, options);
  return { secret: loaded.key, envelope: loaded.envelope };
}

/** The node's shared-key token PRF, from its installed consortium secret. */
export async function loadTokenPrf(nodeDir: string, options: { memberId?: string } = {}): Promise<SharedKeyPrf> {
  const { secret } = await loadConsortiumSecret(nodeDir, options);
  const prf = new SharedKeyPrf(secret);
  secret.fill(0);
  return prf;
}
