import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt, errors as joseErrors } from 'jose';
import { CordonError } from '../errors.js';
import { encKeyThumbprint, ENC_KEY_FILE, importEncPublicJwk, parseEncPublicJwk, readEncryptionKey, type EncryptionKey } from './encryption-key.js';

/**
 * A symmetric key the consortium shares among some of its members (the
 * consortium secret, the alert-id key), distributed as a compact JWE
 * (ECDH-ES+A256KW, A256GCM) to each recipient's X25519 key. Members keep the
 * JWE as it came, on disk (0600), and decrypt it into memory only when the
 * node starts: a copied data directory without `enc-key.jwk` yields no key.
 *
 * Each kind of key has its own JWE `typ` and file name, so one kind can never
 * be installed or loaded as another. The protected header (authenticated by
 * the AEAD, so a changed header is a failed decryption) carries:
 *   typ                    the kind's typ
 *   kid                    the recipient's member id
 *   cordon_recipient       RFC 7638 thumbprint of the recipient's encryption key
 *   cordon_secret_id       the key's public id (the kind's idOf): members
 *                          compare it to check they hold the same key
 *   cordon_secret_version  the key's generation (1, 2, … at each re-issue)
 *   cordon_consortium      the consortium's name, when known
 *   cordon_issued_at       ISO time of issue
 * The plaintext is the key's bytes.
 */
export interface SealedKeyKind {
  /** What the key is, in messages: 'consortium secret'. */
  readonly noun: string;
  /** Prefix of the key's source in messages: 'secret'. */
  readonly label: string;
  readonly typ: string;
  /** Its file in a node's directory. */
  readonly file: string;
  readonly bytes: number;
  /** The key's public id (reveals nothing about the key). */
  idOf(key: Uint8Array): string;
  /** How to install the key on the node in `nodeDir`, for the error when it is missing. */
  installHint(nodeDir: string): string;
}

export interface SealedKeyEnvelope {
  /** The recipient's member id (header kid). */
  readonly memberId: string;
  readonly recipientThumbprint: string;
  readonly secretId: string;
  readonly version: number;
  readonly consortium?: string;
  readonly issuedAt: string;
}

export interface SealOptions {
  /** The recipient's member id. */
  readonly memberId: string;
  /** The recipient's public X25519 JWK (its member entry's enc_jwk, or its enc.pub.jwk). */
  readonly recipientJwk: unknown;
  /** The key's generation (default 1). */
  readonly version?: number;
  readonly consortium?: string;
  /** Defaults to now. */
  readonly issuedAt?: Date;
}

export interface OpenOptions {
  /** When given, the JWE must be addressed to this member id. */
  readonly memberId?: string;
  /** Names the JWE's source in errors. */
  readonly where?: string;
}

const ALG = 'ECDH-ES+A256KW';
const ENC = 'A256GCM';

export async function sealKey(kind: SealedKeyKind, key: Uint8Array, options: SealOptions): Promise<string> {
  const where = `encryption key of '${options.memberId}'`;
  const publicJwk = parseEncPublicJwk(options.recipientJwk, where);
  const publicKey = importEncPublicJwk(publicJwk, where);
  const version = options.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) throw new CordonError('INVALID_INPUT', `${kind.label} version must be a whole number ≥ 1, got ${String(version)}`);
  return new CompactEncrypt(Uint8Array.from(key))
    .setProtectedHeader({
      alg: ALG,
      enc: ENC,
      typ: kind.typ,
      kid: options.memberId,
      cordon_recipient: encKeyThumbprint(publicJwk),
      cordon_secret_id: kind.idOf(key),
      cordon_secret_version: version,
      ...(options.consortium !== undefined ? { cordon_consortium: options.consortium } : {}),
      cordon_issued_at: (options.issuedAt ?? new Date()).toISOString(),
    })
    .encrypt(publicKey);
}

const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Reads a sealed key's protected header without decrypting (nothing in it is
 * secret). Throws INVALID_INPUT when `jwe` is not a compact JWE of this kind.
 * The header is authenticated only by decryption.
 */
export function inspectSealedKey(kind: SealedKeyKind, jwe: string, where: string = kind.label): SealedKeyEnvelope {
  const text = typeof jwe === 'string' ? jwe.trim() : '';
  if (!COMPACT_JWE.test(text)) throw new CordonError('INVALID_INPUT', `${where}: not a compact JWE (need five base64url parts separated by dots)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(text.slice(0, text.indexOf('.')), 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CordonError('INVALID_INPUT', `${where}: not a compact JWE (protected header is not base64url JSON)`);
  }
  if (!header || typeof header !== 'object' || header.typ !== kind.typ) {
    throw new CordonError('INVALID_INPUT', `${where}: not a Cordon ${kind.noun} (typ is ${JSON.stringify(header?.typ)}, need '${kind.typ}')`);
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

/**
 * Decrypts a sealed key with the recipient's encryption key. Errors say which
 * of these went wrong: not a JWE of this kind (INVALID_INPUT); addressed to
 * another member or another key (INVALID_INPUT, "wrong recipient"); failed
 * authentication, i.e. altered or corrupt (INVALID_SIGNATURE, "tampered").
 */
export async function openSealedKey(kind: SealedKeyKind, jwe: string, key: EncryptionKey, options: OpenOptions = {}): Promise<{ key: Uint8Array; envelope: SealedKeyEnvelope }> {
  const where = options.where ?? kind.label;
  const envelope = inspectSealedKey(kind, jwe, where);
  if (options.memberId !== undefined && envelope.memberId !== options.memberId) {
    throw new CordonError('INVALID_INPUT', `${where}: wrong recipient: addressed to member '${envelope.memberId}', not '${options.memberId}'`);
  }
  if (envelope.recipientThumbprint !== key.thumbprint) {
    throw new CordonError(
      'INVALID_INPUT',
      `${where}: wrong recipient: encrypted to encryption key ${envelope.recipientThumbprint}, not this node's ${key.thumbprint} (was the ${kind.noun} issued to an older key, or to another node?)`,
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
  if (plaintext.length !== kind.bytes) {
    throw new CordonError('INVALID_INPUT', `${where}: decrypts to ${plaintext.length} bytes, not a ${kind.bytes}-byte ${kind.noun}`);
  }
  if (kind.idOf(plaintext) !== envelope.secretId) {
    throw new CordonError('INVALID_INPUT', `${where}: the ${kind.noun} does not match its header's cordon_secret_id (issued wrongly)`);
  }
  return { key: plaintext, envelope };
}

export async function readSecretJweFile(path: string, label = 'secret'): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CordonError(code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT', `${label} ${path}: ${code === 'ENOENT' ? 'does not exist' : (err as Error).message}`);
  }
}

/** Writes a sealed key readable only by its owner, atomically (replacing any file at `path`). */
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
 * Decrypts a node's installed key of this kind into memory: NODE_DIR/enc-key.jwk
 * and NODE_DIR/<kind.file>. A missing file is INVALID_CONFIG naming how to install it.
 */
export async function loadSealedKey(kind: SealedKeyKind, nodeDir: string, options: { memberId?: string } = {}): Promise<{ key: Uint8Array; envelope: SealedKeyEnvelope }> {
  const encKey = await readEncryptionKey(join(nodeDir, ENC_KEY_FILE));
  const path = join(nodeDir, kind.file);
  let jwe: string;
  try {
    jwe = await readSecretJweFile(path, kind.label);
  } catch (err) {
    if (err instanceof CordonError && err.code === 'NOT_FOUND') {
      throw new CordonError('INVALID_CONFIG', `${kind.label} ${path}: does not exist (${kind.installHint(nodeDir)})`);
    }
    throw err;
  }
  return openSealedKey(kind, jwe, encKey, { ...options, where: `${kind.label} ${path}` });
}
