import { invalidInput } from '../../errors.js';
import type { TokenKindName } from '../../fingerprint/normalize/index.js';

/**
 * The identifier-token PRF: token = PRF_K(epoch, kind, normalized value), 32
 * bytes (DESIGN §4). One interface, two implementations:
 *
 *  - shared-key (shared-key-prf.ts): HMAC-SHA256 under a per-epoch key derived
 *    from the consortium secret. Local and synchronous; any holder of the
 *    secret can test guesses offline.
 *  - oblivious (later): a verifiable OPRF (RFC 9497) evaluated by the
 *    consortium nodes on blinded inputs. Every evaluation is a network round
 *    trip, so the only method every PRF has is the asynchronous batch.
 *
 * Both modes feed the PRF the same bytes (`encodeTokenInput`), so the wire
 * meaning of a token does not depend on the mode that computed it (the tokens
 * themselves differ: different keys).
 */

export type TokenPrfMode = 'shared-key' | 'oblivious';

/** Token length in bytes, in every mode (HMAC-SHA256 output in shared-key mode). */
export const TOKEN_BYTES = 32;

/** Largest epoch number: it is encoded as an unsigned 32-bit integer. */
export const MAX_EPOCH = 0xffff_ffff;

export interface TokenInput {
  readonly kind: TokenKindName;
  /** The normalized value (normalizeIdentifier's output). Never log it. */
  readonly value: string;
}

export interface TokenPrf {
  readonly mode: TokenPrfMode;
  /**
   * Tokens of `items` under `epoch`, in order: result[i] is the 32-byte token
   * of items[i]. Asynchronous so that the oblivious mode (network round trips,
   * batched) fits; the shared-key mode resolves at once.
   */
  tokenizeBatch(epoch: number, items: readonly TokenInput[]): Promise<Uint8Array[]>;
}

/**
 * Kind codes in the PRF input: one byte each, equal to the wire enum
 * cordon.v1.TokenKind (proto/cordon/v1/common.proto). Part of the token
 * format: a code never changes meaning.
 */
export const TOKEN_KIND_CODES: Readonly<Record<TokenKindName, number>> = Object.freeze({
  email: 1,
  phone: 2,
  ip: 3,
  ip_prefix: 4,
  asn: 5,
  payment: 6,
  device: 7,
  org_domain: 8,
  api_key: 9,
});

/**
 * PRF input layout (big-endian, fixed fields then one length-prefixed field,
 * so no two distinct (epoch, kind, value) triples encode alike):
 *
 *   offset  size  field
 *        0    16  domain tag "cordon/token/v1" + 0x00
 *       16     4  epoch, uint32
 *       20     1  kind code (TOKEN_KIND_CODES)
 *       21     4  byte length n of the value, uint32
 *       25     n  value, UTF-8
 */
export const TOKEN_INPUT_TAG = 'cordon/token/v1\u0000';
export const TOKEN_INPUT_HEADER_BYTES = 25;
export const TOKEN_INPUT_EPOCH_OFFSET = 16;
export const TOKEN_INPUT_KIND_OFFSET = 20;
export const TOKEN_INPUT_LENGTH_OFFSET = 21;

if (Buffer.byteLength(TOKEN_INPUT_TAG, 'latin1') !== TOKEN_INPUT_EPOCH_OFFSET) throw new Error('token-prf: the domain tag must fill 16 bytes');

/** Checks an epoch number; throws INVALID_INPUT naming it otherwise. */
export function checkEpoch(epoch: number): number {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw invalidInput('token prf', `epoch must be an integer in 0..${MAX_EPOCH}, got ${String(epoch)}`);
  }
  return epoch;
}

/** The kind's code; throws INVALID_INPUT for a kind outside TokenKindName. */
export function kindCode(kind: TokenKindName): number {
  // `typeof` rather than `in`: inherited names ('toString', '__proto__') are not kinds.
  const code: unknown = TOKEN_KIND_CODES[kind];
  if (typeof code !== 'number') throw invalidInput('token prf', `unknown token kind '${String(kind)}'`);
  return code;
}

const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Checks a normalized value: a non-empty, well-formed string. (A lone
 * surrogate would encode as U+FFFD, so two different strings could share a
 * token; normalizers never produce one, and this refuses it outright.) The
 * reason never contains the value.
 */
export function checkValue(value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw invalidInput('token prf', 'normalized value must be a non-empty string');
  if (!isWellFormed(value)) throw invalidInput('token prf', 'normalized value is not well-formed UTF-16 (lone surrogate)');
}

/** The PRF input bytes of (epoch, kind, value): the reference encoding every mode uses. */
export function encodeTokenInput(epoch: number, kind: TokenKindName, value: string): Buffer {
  checkEpoch(epoch);
  const code = kindCode(kind);
  checkValue(value);
  const n = Buffer.byteLength(value, 'utf8');
  const out = Buffer.allocUnsafe(TOKEN_INPUT_HEADER_BYTES + n);
  out.write(TOKEN_INPUT_TAG, 0, 'latin1');
  out.writeUInt32BE(epoch, TOKEN_INPUT_EPOCH_OFFSET);
  out[TOKEN_INPUT_KIND_OFFSET] = code;
  out.writeUInt32BE(n, TOKEN_INPUT_LENGTH_OFFSET);
  out.write(value, TOKEN_INPUT_HEADER_BYTES, 'utf8');
  return out;
}
