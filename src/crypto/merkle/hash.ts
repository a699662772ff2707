import { hash, timingSafeEqual } from 'node:crypto';
import { MerkleError } from './errors.js';

/** RFC 9162 §2.1.1 with SHA-256: every hash in this library is 32 bytes. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

const EMPTY_ROOT = hash('sha256', new Uint8Array(0), 'buffer');

/** MTH({}) = SHA-256(""), the root of the empty tree (a fresh copy each call). */
export function emptyRoot(): Uint8Array {
  return Uint8Array.from(EMPTY_ROOT);
}

/** Leaf hash: SHA-256(0x00 || data). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + data.length);
  buf[0] = LEAF_PREFIX;
  buf.set(data, 1);
  return hash('sha256', buf, 'buffer');
}

// One preallocated 65-byte scratch buffer: hashing is synchronous, so it is never shared.
const scratch = new Uint8Array(1 + 2 * HASH_SIZE);
scratch[0] = NODE_PREFIX;

/**
 * Interior node hash: SHA-256(0x01 || left || right). Both inputs must be 32
 * bytes (not re-checked here: this is the hot path; verifiers check lengths
 * before hashing).
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_SIZE);
  return hash('sha256', scratch, 'buffer');
}

/** True iff `h` is a Uint8Array of exactly 32 bytes. */
export function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

/** Throws MerkleError BAD_HASH_LENGTH unless `h` is a 32-byte Uint8Array. */
export function assertHash(h: unknown, what: string): asserts h is Uint8Array {
  if (!isHash(h)) {
    const got = h instanceof Uint8Array ? `${h.length} bytes` : h === null ? 'null' : typeof h;
    throw new MerkleError('BAD_HASH_LENGTH', `${what} must be ${HASH_SIZE} bytes, got ${got}`);
  }
}

/** Constant-time equality of two 32-byte hashes (false on any length mismatch). */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === HASH_SIZE && b.length === HASH_SIZE && timingSafeEqual(a, b);
}
