import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { invalidInput } from '../../errors.js';
import type { TokenKindName } from '../../fingerprint/normalize/index.js';
import {
  checkEpoch,
  checkValue,
  kindCode,
  TOKEN_INPUT_EPOCH_OFFSET,
  TOKEN_INPUT_HEADER_BYTES,
  TOKEN_INPUT_KIND_OFFSET,
  TOKEN_INPUT_LENGTH_OFFSET,
  TOKEN_INPUT_TAG,
  TOKEN_KIND_CODES,
  type TokenInput,
  type TokenPrf,
} from './token-prf.js';

/**
 * Shared-key mode of the token PRF (DESIGN §4):
 *
 *   K_epoch      = HKDF-SHA256(secret, salt = KDF_SALT, info = "cordon token v1 epoch <n>", 32)
 *   token        = HMAC-SHA256(K_epoch, encodeTokenInput(epoch, kind, value))
 *   template key = HKDF-SHA256(secret, salt = KDF_SALT, info = "cordon template v1 epoch <n>", 32)
 *   secret id    = HKDF-SHA256(secret, salt = KDF_SALT, info = "cordon secret id v1", 16), hex
 *
 * Separate info labels make the token key, the template key and the secret id
 * independent: publishing the id (so members can check they hold the same
 * secret) or using the template key reveals nothing about token keys.
 *
 * Speed: `tokenize` is on the publish hot path (and `cordon rotate`
 * re-tokenizes every active record). Per call it writes the value into one
 * reusable buffer whose header (tag, epoch) is already in place, and runs one
 * HMAC under a KeyObject prepared once per epoch, so the only allocations are
 * the ones node:crypto makes for any HMAC (its handle and the digest).
 */

/** Consortium secret length in bytes. */
export const CONSORTIUM_SECRET_BYTES = 32;
/** HKDF salt: a fixed label that versions the whole derivation. */
export const KDF_SALT = 'cordon/consortium-secret/v1';
export const tokenKeyInfo = (epoch: number): string => `cordon token v1 epoch ${epoch}`;
export const templateKeyInfo = (epoch: number): string => `cordon template v1 epoch ${epoch}`;
const SECRET_ID_INFO = 'cordon secret id v1';
/** Template MinHash key length (crypto/minhash SIGNER_KEY_BYTES). */
export const TEMPLATE_KEY_BYTES = 32;

/** Epoch keys kept at once; a provider uses one or two (the current and, during rotation, the next). */
const MAX_CACHED_EPOCHS = 16;
/** Normalized values are at most 1024 UTF-16 units (normalize MAX_RAW_LENGTH), so ≤ 3072 UTF-8 bytes; longer ones grow the buffer. */
const INITIAL_BUFFER_BYTES = 4096;

function derive(secret: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, KDF_SALT, info, length));
}

function checkSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.length !== CONSORTIUM_SECRET_BYTES) {
    throw invalidInput('consortium secret', `must be ${CONSORTIUM_SECRET_BYTES} bytes`);
  }
}

/**
 * A public name for a secret: 16 bytes of HKDF output, hex. Members compare it
 * to check they hold the same secret (tokens that never match across providers
 * are otherwise hard to diagnose); it reveals nothing about the keys.
 */
export function consortiumSecretId(secret: Uint8Array): string {
  checkSecret(secret);
  return derive(secret, SECRET_ID_INFO, 16).toString('hex');
}

/** Per-epoch state: the HMAC key and an input buffer whose tag and epoch are already written. */
interface EpochState {
  readonly epoch: number;
  readonly key: KeyObject;
  buf: Buffer;
}

function inputBuffer(epoch: number, bytes: number): Buffer {
  const buf = Buffer.allocUnsafe(bytes);
  buf.write(TOKEN_INPUT_TAG, 0, 'latin1');
  buf.writeUInt32BE(epoch, TOKEN_INPUT_EPOCH_OFFSET);
  return buf;
}

export class SharedKeyPrf implements TokenPrf {
  readonly mode = 'shared-key' as const;
  /** The secret's public id (see consortiumSecretId). */
  readonly secretId: string;
  readonly #secret: Buffer;
  readonly #epochs = new Map<number, EpochState>();
  /** The epoch used last: nearly every call repeats it, and this skips the map. */
  #last: EpochState | undefined;

  constructor(secret: Uint8Array) {
    checkSecret(secret);
    this.#secret = Buffer.from(secret);
    this.secretId = consortiumSecretId(this.#secret);
  }

  /**
   * The 32-byte token of one normalized value; synchronous (the fast path, only
   * this mode has it). Not reentrant across threads, which JavaScript rules out.
   */
  tokenize(epoch: number, kind: TokenKindName, normalizedValue: string): Uint8Array {
    const last = this.#last;
    return this.#tokenize(last !== undefined && last.epoch === epoch ? last : this.#state(epoch), kind, normalizedValue);
  }

  /** Tokens of many values under one epoch, in order; synchronous. */
  tokenizeMany(epoch: number, items: readonly TokenInput[]): Uint8Array[] {
    const state = this.#state(epoch);
    const out = new Array<Uint8Array>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      out[i] = this.#tokenize(state, item.kind, item.value);
    }
    return out;
  }

  async tokenizeBatch(epoch: number, items: readonly TokenInput[]): Promise<Uint8Array[]> {
    return this.tokenizeMany(epoch, items);
  }

  /** The epoch's key for keyed MinHash template signatures (crypto/minhash createTemplateSigner); a fresh copy. */
  templateKey(epoch: number): Uint8Array {
    checkEpoch(epoch);
    return derive(this.#secret, templateKeyInfo(epoch), TEMPLATE_KEY_BYTES);
  }

  #tokenize(state: EpochState, kind: TokenKindName, value: string): Uint8Array {
    const code: unknown = TOKEN_KIND_CODES[kind];
    if (typeof code !== 'number') kindCode(kind); // throws, naming the kind
    if (typeof value !== 'string' || value.length === 0 || !(value as string & { isWellFormed(): boolean }).isWellFormed()) checkValue(value);
    let buf = state.buf;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; only a value that might not fit pays for byteLength.
    if (value.length * 3 > buf.length - TOKEN_INPUT_HEADER_BYTES) {
      const needed = TOKEN_INPUT_HEADER_BYTES + Buffer.byteLength(value, 'utf8');
      if (needed > buf.length) buf = state.buf = inputBuffer(state.epoch, needed);
    }
    const n = buf.write(value, TOKEN_INPUT_HEADER_BYTES, 'utf8');
    buf[TOKEN_INPUT_KIND_OFFSET] = code as number;
    buf.writeUInt32BE(n, TOKEN_INPUT_LENGTH_OFFSET);
    return createHmac('sha256', state.key).update(buf.subarray(0, TOKEN_INPUT_HEADER_BYTES + n)).digest();
  }

  #state(epoch: number): EpochState {
    let state = this.#epochs.get(epoch);
    if (state === undefined) {
      checkEpoch(epoch);
      if (this.#epochs.size >= MAX_CACHED_EPOCHS) this.#epochs.clear();
      state = { epoch, key: createSecretKey(derive(this.#secret, tokenKeyInfo(epoch), 32)), buf: inputBuffer(epoch, INITIAL_BUFFER_BYTES) };
      this.#epochs.set(epoch, state);
    }
    this.#last = state;
    return state;
  }
}

/** The shared-key PRF of a 32-byte consortium secret. */
export function createSharedKeyPrf(secret: Uint8Array): SharedKeyPrf {
  return new SharedKeyPrf(secret);
}
