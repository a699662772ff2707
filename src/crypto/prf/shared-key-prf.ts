import * as nodeCrypto from 'node:crypto';
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { invalidInput } from '../../errors.js';
import type { TokenKindName } from '../../fingerprint/normalize/index.js';
import {
  checkEpoch,
  checkValue,
  kindCode,
  TOKEN_BYTES,
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
 * reusable buffer whose prefix is already in place, and computes the HMAC as
 * RFC 2104 defines it, SHA-256((K ⊕ opad) ‖ SHA-256((K ⊕ ipad) ‖ input)), with
 * two one-shot `crypto.hash` calls over buffers whose pad blocks were written
 * once per epoch. The result is byte for byte `createHmac('sha256', K)` (the
 * tests check it). For inputs this short, the hashing is the cheap part: a
 * bare `createHmac(…).update(value).digest()` spends most of its time building
 * an Hmac stream object and a native-backed digest Buffer, which this path
 * avoids (digests come back as strings; the token is a small on-heap
 * Uint8Array). test/bench/tokens.ts measures it at 1.6–2× the bare HMAC's
 * rate over the same values; the createHmac path with the same encoding runs
 * at 0.85–0.9× and remains as the fallback (`{ hmac: 'object' }`, or a runtime
 * without `crypto.hash`).
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

/** SHA-256 block size: the HMAC pad blocks' length, and where the PRF input starts in the inner buffer. */
const BLOCK = 64;
/** Where the value starts in the inner buffer. */
const VALUE_OFFSET = BLOCK + TOKEN_INPUT_HEADER_BYTES;
/** Normalized values are at most 1024 UTF-16 units (normalize MAX_RAW_LENGTH), so ≤ 3072 UTF-8 bytes; longer ones grow the buffer. */
const INITIAL_BUFFER_BYTES = VALUE_OFFSET + 3 * 1024;
const IPAD = 0x36;
const OPAD = 0x5c;

/** node:crypto's one-shot hash (Node ≥ 20.12); absent on older runtimes, which take the object path. */
const oneShotHash = typeof (nodeCrypto as { hash?: unknown }).hash === 'function' ? (nodeCrypto.hash as (algorithm: string, data: Uint8Array, encoding: 'binary') => string) : undefined;

/**
 * Per-epoch state. `inner` is (K ⊕ ipad) ‖ encodeTokenInput(…) with the tag
 * and epoch already written (the kind, length and value change per call);
 * `outer` is (K ⊕ opad) ‖ room for the inner digest.
 */
interface EpochState {
  readonly epoch: number;
  readonly key: KeyObject;
  readonly ipad: Buffer;
  inner: Buffer;
  readonly outer: Buffer;
}

function padBlock(key: Buffer, pad: number): Buffer {
  const block = Buffer.alloc(BLOCK, pad);
  for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad;
  return block;
}

function innerBuffer(epoch: number, ipad: Buffer, bytes: number): Buffer {
  const buf = Buffer.allocUnsafe(bytes);
  ipad.copy(buf, 0);
  buf.write(TOKEN_INPUT_TAG, BLOCK, 'latin1');
  buf.writeUInt32BE(epoch, BLOCK + TOKEN_INPUT_EPOCH_OFFSET);
  return buf;
}

export interface SharedKeyPrfOptions {
  /**
   * How HMAC-SHA256 is computed: 'one-shot' (default where available) or
   * 'object' (createHmac per call). Same output; the option exists for tests
   * and the benchmark.
   */
  readonly hmac?: 'one-shot' | 'object';
}

export class SharedKeyPrf implements TokenPrf {
  readonly mode = 'shared-key' as const;
  /** The secret's public id (see consortiumSecretId). */
  readonly secretId: string;
  readonly #secret: Buffer;
  readonly #epochs = new Map<number, EpochState>();
  /** The epoch used last: nearly every call repeats it, and this skips the map. */
  #last: EpochState | undefined;
  readonly #oneShot: boolean;

  constructor(secret: Uint8Array, options: SharedKeyPrfOptions = {}) {
    checkSecret(secret);
    this.#secret = Buffer.from(secret);
    this.secretId = consortiumSecretId(this.#secret);
    this.#oneShot = options.hmac !== 'object' && oneShotHash !== undefined;
  }

  /** Which HMAC path this instance runs. */
  get hmacPath(): 'one-shot' | 'object' {
    return this.#oneShot ? 'one-shot' : 'object';
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
    let buf = state.inner;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; only a value that might not fit pays for byteLength.
    if (value.length * 3 > buf.length - VALUE_OFFSET) {
      const needed = VALUE_OFFSET + Buffer.byteLength(value, 'utf8');
      if (needed > buf.length) buf = state.inner = innerBuffer(state.epoch, state.ipad, needed);
    }
    const n = buf.write(value, VALUE_OFFSET, 'utf8');
    buf[BLOCK + TOKEN_INPUT_KIND_OFFSET] = code as number;
    buf.writeUInt32BE(n, BLOCK + TOKEN_INPUT_LENGTH_OFFSET);
    if (this.#oneShot) {
      // HMAC (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ input)). Digests come back
      // as 'binary' (latin1: one char per byte, exact) strings, which V8 allocates
      // on its heap; a 'buffer' digest costs a native backing store each, which
      // is most of what a short HMAC costs.
      const inner = oneShotHash!('sha256', buf.subarray(0, VALUE_OFFSET + n), 'binary');
      const outer = state.outer;
      for (let i = 0; i < TOKEN_BYTES; i++) outer[BLOCK + i] = inner.charCodeAt(i);
      const digest = oneShotHash!('sha256', outer, 'binary');
      const token = new Uint8Array(TOKEN_BYTES);
      for (let i = 0; i < TOKEN_BYTES; i++) token[i] = digest.charCodeAt(i);
      return token;
    }
    return createHmac('sha256', state.key).update(buf.subarray(BLOCK, VALUE_OFFSET + n)).digest();
  }

  #state(epoch: number): EpochState {
    let state = this.#epochs.get(epoch);
    if (state === undefined) {
      checkEpoch(epoch);
      if (this.#epochs.size >= MAX_CACHED_EPOCHS) this.#epochs.clear();
      // K_epoch is 32 bytes, shorter than the block, so HMAC uses it zero-padded (RFC 2104).
      const k = derive(this.#secret, tokenKeyInfo(epoch), 32);
      const ipad = padBlock(k, IPAD);
      const outer = Buffer.alloc(BLOCK + TOKEN_BYTES);
      padBlock(k, OPAD).copy(outer, 0);
      state = { epoch, key: createSecretKey(k), ipad, inner: innerBuffer(epoch, ipad, INITIAL_BUFFER_BYTES), outer };
      k.fill(0);
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
