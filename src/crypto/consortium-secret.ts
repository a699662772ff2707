import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt, errors as joseErrors } from 'jose';
import { CordonError } from '../errors.js';
import { encKeyThumbprint, ENC_KEY_FILE, importEncPublicJwk, parseEncPublicJwk, readEncryptionKey, type EncryptionKey } from './encryption-key.js';
import { consortiumSecretId, CONSORTIUM_SECRET_BYTES, SharedKeyPrf } from './prf/shared-key-prf.js';

/**
 * The consortium secret (shared-key token mode, DESIGN §4) and its
 * distribution: 32 random bytes, encrypted to each member's X25519 key as a
 * compact JWE (ECDH-ES+A256KW, A256GCM). Members keep the JWE as it came, on
 * disk (`consortium-secret.jwe`, 0600), and decrypt it into memory only when
 * the node starts: a copied data directory without `enc-key.jwk` yields no
 * secret.
 *
 * The protected header (authenticated by the AEAD, so a changed header is a
 * failed decryption) carries:
 *   typ                    'cordon-secret+jwe'
 *   kid                    the recipient's member id
 *   cordon_recipient       RFC 7638 thumbprint of the recipient's encryption key
 *   cordon_secret_id       the secret's public id (consortiumSecretId): members
 *                          compare it to check they hold the same secret
 *   cordon_secret_version  the secret's generation (1, 2, … at each re-issue)
 *   cordon_consortium      the consortium's name, when known
 *   cordon_issued_at       ISO time of issue
 * The plaintext is the 32 secret bytes.
 */

export const CONSORTIUM_SECRET_FILE = 'consortium-secret.jwe';
export const SECRET_JWE_TYP = 'cordon-secret+jwe';
const ALG = 'ECDH-ES+A256KW';
const ENC = 'A256GCM';

export interface SecretEnvelope {
  /** The recipient's member id (header kid). */
  readonly memberId: string;
  readonly recipientThumbprint: string;
  readonly secretId: string;
  readonly version: number;
  readonly consortium?: string;
  readonly issuedAt: string;
}

export interface EncryptSecretOptions {
  /** The recipient's member id. */
  readonly memberId: string;
  /** The recipient's public X25519 JWK (its member entry's enc_jwk, or its enc.pub.jwk). */
  readonly recipientJwk: unknown;
  /** The secret's generation (default 1). */
  readonly version?: number;
  readonly consortium?: string;
  /** Defaults to now. */
  readonly issuedAt?: Date;
}

export function generateConsortiumSecret(): Uint8Array {
  return new Uint8Array(randomBytes(CONSORTIUM_SECRET_BYTES));
}

export async function encryptConsortiumSecret(secret: Uint8Array, options: EncryptSecretOptions): Promise<string> {
  const where = `encryption key of '${options.memberId}'`;
  const publicJwk = parseEncPublicJwk(options.recipientJwk, where);
  const publicKey = importEncPublicJwk(publicJwk, where);
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) throw new CordonError('INVALID_INPUT', `secret version must be a whole number ≥ 1, got ${String(version)}`);
  return new CompactEncrypt(Uint8Array.from(secret))
    .setProtectedHeader({
      alg: ALG,
      enc: ENC,
      typ: SECRET_JWE_TYP,
      kid: options.memberId,
      cordon_recipient: encKeyThumbprint(publicJwk),
      cordon_secret_id: consortiumSecretId(secret),
      cordon_secret_version: version,
      ...(options.consortium !== undefined ? { cordon_consortium: options.consortium } : {}),
      cordon_issued_at: (options.issuedAt ?? new Date()).toISOString(),
    })
    .encrypt(publicKey);
}

const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Reads a secret JWE's protected header without decrypting (nothing in it is
 * secret). Throws INVALID_INPUT when `jwe` is not a compact JWE carrying a
 * Cordon consortium secret. The header is authenticated only by decryption.
 */
export function inspectSecretJwe(jwe: string, where = 'secret'): SecretEnvelope {
  const text = typeof jwe === 'string' ? jwe.trim() : '';
  if (!COMPACT_JWE.test(text)) throw new CordonError('INVALID_INPUT', `${where}: not a compact JWE (need five base64url parts separated by dots)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(text.slice(0, text.indexOf('.')), 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CordonError('INVALID_INPUT', `${where}: not a compact JWE (protected header is not base64url JSON)`);
  }
  if (!header || typeof header !== 'object' || header.typ !== SECRET_JWE_TYP) {
    throw new CordonError('INVALID_INPUT', `${where}: not a Cordon consortium secret (typ is ${JSON.stringify(header?.typ)}, need '${SECRET_JWE_TYP}')`);
  }
  if (header.alg !== ALG || header.enc !== ENC) {
    throw new CordonError('INVALID_INPUT', `${where}: unsupported algorithms ${String(header.alg)}/${String(header.enc)} (need ${ALG}/${ENC})`);
  }
  const str = (name: string): string => {
    const v = header[name];
    if (typeof v !== 'string' || v === '') throw new CordonError('INVALID_INPUT', `${where}: header ${name} is missing`);
    return v;
  };
  const version = header.cordon_secret_version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new CordonError('INVALID_INPUT', `${where}: header cordon_secret_version is missing`);
  return {
    memberId: str('kid'),
    recipientThumbprint: str('cordon_recipient'),
    secretId: str('cordon_secret_id'),
    version,
    ...(typeof header.cordon_consortium === 'string' ? { consortium: header.cordon_consortium } : {}),
    issuedAt: str('cordon_issued_at'),
  };
}

export interface DecryptSecretOptions {
  /** When given, the JWE must be addressed to this member id. */
  readonly memberId?: string;
  /** Names the JWE's source in errors. */
  readonly where?: string;
}

/**
 * Decrypts a secret JWE with the recipient's encryption key. Errors say which
 * of these went wrong: not a secret JWE (INVALID_INPUT); addressed to another
 * member or another key (INVALID_INPUT, "wrong recipient"); failed
 * authentication, i.e. altered or corrupt (INVALID_SIGNATURE, "tampered").
 */
export async function decryptConsortiumSecret(jwe: string, key: EncryptionKey, options: DecryptSecretOptions = {}): Promise<{ secret: Uint8Array; envelope: SecretEnvelope }> {
  const where = options.where ?? 'secret';
  const envelope = inspectSecretJwe(jwe, where);
  if (options.memberId !== undefined && envelope.memberId !== options.memberId) {
    throw new CordonError('INVALID_INPUT', `${where}: wrong recipient: addressed to member '${envelope.memberId}', not '${options.memberId}'`);
  }
  if (envelope.recipientThumbprint !== key.thumbprint) {
    throw new CordonError(
      'INVALID_INPUT',
      `${where}: wrong recipient: encrypted to encryption key ${envelope.recipientThumbprint}, not this node's ${key.thumbprint} (was the secret issued to an older key, or to another node?)`,
    );
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe.trim(), key.privateKey, { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] }));
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) {
      throw new CordonError('INVALID_SIGNATURE', `${where}: cannot be decrypted with this node's encryption key: the JWE was altered or is corrupt (tampered header, key or ciphertext)`, { cause: err });
    }
    throw err;
  }
  if (plaintext.length !== CONSORTIUM_SECRET_BYTES) {
    throw new CordonError('INVALID_INPUT', `${where}: decrypts to ${plaintext.length} bytes, not a ${CONSORTIUM_SECRET_BYTES}-byte consortium secret`);
  }
  if (consortiumSecretId(plaintext) !== envelope.secretId) {
    throw new CordonError('INVALID_INPUT', `${where}: the secret does not match its header's cordon_secret_id (issued wrongly)`);
  }
  return { secret: plaintext, envelope };
}

export async function readSecretJweFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CordonError(code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT', `secret ${path}: ${code === 'ENOENT' ? 'does not exist' : (err as Error).message}`);
  }
}

/** Writes a secret JWE readable only by its owner, atomically (replacing any file at `path`). */
export async function writeSecretJweFile(path: string, jwe: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, jwe.trim() + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Decrypts a node's installed consortium secret into memory: NODE_DIR/enc-key.jwk
 * and NODE_DIR/consortium-secret.jwe.
 */
export async function loadConsortiumSecret(nodeDir: string, options: { memberId?: string } = {}): Promise<{ secret: Uint8Array; envelope: SecretEnvelope }> {
  const key = await readEncryptionKey(join(nodeDir, ENC_KEY_FILE));
  const path = join(nodeDir, CONSORTIUM_SECRET_FILE);
  let jwe: string;
  try {
    jwe = await readSecretJweFile(path);
  } catch (err) {
    if (err instanceof CordonError && err.code === 'NOT_FOUND') {
      throw new CordonError('INVALID_CONFIG', `secret ${path}: does not exist (install the consortium secret: cordon secret install --node ${nodeDir} FILE.jwe)`);
    }
    throw err;
  }
  return decryptConsortiumSecret(jwe, key, { ...options, where: `secret ${path}` });
}

/** The node's shared-key token PRF, from its installed consortium secret. */
export async function loadTokenPrf(nodeDir: string, options: { memberId?: string } = {}): Promise<SharedKeyPrf> {
  const { secret } = await loadConsortiumSecret(nodeDir, options);
  const prf = new SharedKeyPrf(secret);
  secret.fill(0);
  return prf;
}
