import { CordonError } from '../../../errors.js';

/**
 * Points on the wire are X25519 u-coordinates: 32 bytes, little-endian
 * (RFC 7748 §5). Only the u-coordinate travels: X25519 never needs v, and
 * u(P) = u(−P), so a party cannot learn anything from a sign either.
 */
export const POINT_BYTES = 32;

/**
 * Values that are only compared, never multiplied again (the doubly blinded
 * lists), keep their first 16 bytes: a false match among 10⁷ × 10⁷ pairs has
 * probability below 2⁻⁸⁰, and the lists the parties hold halve.
 */
export const MATCH_BYTES = 16;

/**
 * The u-coordinates of curve25519's points of small order, canonical forms
 * (libsodium's blocklist without its non-canonical p and p+1, which the
 * canonical check already refuses). Blinding any of them yields the all-zero
 * value, which would match every other such value: a peer could use them to
 * forge matches, so they are refused by name rather than by OpenSSL's error.
 */
const SMALL_ORDER_HEX = [
  '0000000000000000000000000000000000000000000000000000000000000000', // order 2
  '0100000000000000000000000000000000000000000000000000000000000000', // order 4
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', // order 8
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', // order 8
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p − 1, order 4 on the twist
];
const SMALL_ORDER = SMALL_ORDER_HEX.map((h) => Buffer.from(h, 'hex'));
/** Their first bytes: almost every point is cleared by one lookup. */
const SMALL_ORDER_FIRST = new Set(SMALL_ORDER.map((b) => b[0]!));

/** Why the point at `offset` in `rows` is refused, or undefined when it is acceptable. */
export function pointProblem(rows: Uint8Array, offset: number): string | undefined {
  // Canonical: below p = 2^255 − 19, top bit clear. RFC 7748 would silently
  // reduce the others; a peer that sends them is not following the protocol.
  if (rows[offset + 31]! & 0x80) return 'not a canonical u-coordinate (top bit set)';
  if (rows[offset + 31] === 0x7f && rows[offset]! >= 0xed) {
    let allOnes = true;
    for (let i = 1; i < 31 && allOnes; i++) allOnes = rows[offset + i] === 0xff;
    if (allOnes) return 'not a canonical u-coordinate (≥ 2^255 − 19)';
  }
  if (SMALL_ORDER_FIRST.has(rows[offset]!)) {
    const point = rows.subarray(offset, offset + POINT_BYTES);
    if (SMALL_ORDER.some((bad) => bad.equals(point))) return 'a point of small order';
  }
  return undefined;
}

/** Throws INVALID_INPUT naming the first unacceptable point; `where` names the list it came from. */
export function checkPoints(rows: Uint8Array, where: string): void {
  if (rows.length % POINT_BYTES !== 0) {
    throw new CordonError('INVALID_INPUT', `${where}: ${rows.length} bytes is not a whole number of ${POINT_BYTES}-byte points`);
  }
  for (let off = 0; off < rows.length; off += POINT_BYTES) {
    const problem = pointProblem(rows, off);
    if (problem) throw new CordonError('INVALID_INPUT', `${where}: point ${off / POINT_BYTES} is ${problem}`);
  }
}
