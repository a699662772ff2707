import { MerkleError } from './errors.js';

/**
 * Pure index arithmetic: which subtrees a proof needs. Sizes and indices are
 * JS numbers restricted to safe integers (≤ 2^53 − 1); all arithmetic below
 * avoids 32-bit bitwise operators so it stays correct past 2^32 leaves.
 */

/** The half-open leaf range [start, end) of a subtree; its hash is MTH(D[start:end]). */
export interface SubtreeRange {
  readonly start: number;
  readonly end: number;
}

const TWO32 = 2 ** 32;

/** Number of bits needed to write n (n ≥ 0): bitLength(0) = 0, bitLength(8) = 4. */
export function bitLength(n: number): number {
  return n < TWO32 ? 32 - Math.clz32(n) : 32 + bitLength(Math.floor(n / TWO32));
}

/** The largest power of two strictly less than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** (bitLength(n) - 1) === n;
}

/** Throws INVALID_SIZE unless n is a safe non-negative integer. */
export function checkSize(n: unknown, what = 'tree size'): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new MerkleError('INVALID_SIZE', `${what} must be a non-negative safe integer, got ${String(n)}`);
  }
}

/** Throws INVALID_INDEX unless i is a safe non-negative integer. */
export function checkIndex(i: unknown, what = 'leaf index'): asserts i is number {
  if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) {
    throw new MerkleError('INVALID_INDEX', `${what} must be a non-negative safe integer, got ${String(i)}`);
  }
}

/** Validates (index, size) for an inclusion proof: 0 ≤ index < size. */
export function checkInclusionRequest(index: unknown, size: unknown): asserts index is number {
  checkSize(size);
  checkIndex(index);
  if (size === 0) throw new MerkleError('EMPTY_TREE', 'no inclusion proof exists in the empty tree');
  if (index >= size) throw new MerkleError('INDEX_OUT_OF_RANGE', `leaf index ${index} ≥ tree size ${size}`);
}

/** Validates (size1, size2) for a consistency proof: 0 < size1 ≤ size2. */
export function checkConsistencyRequest(size1: unknown, size2: unknown): asserts size1 is number {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size1 > size2) throw new MerkleError('SIZE_ORDER', `size1 ${size1} > size2 ${size2}`);
  if (size1 === 0) throw new MerkleError('EMPTY_TREE', 'consistency with the empty tree (size1 = 0) proves nothing');
}

/**
 * The perfect subtrees covering [start, end), left to right, greedily taking the
 * largest aligned power-of-two block each time (the "compact range"). Every
 * returned range has end − start = 2^h and start a multiple of 2^h, i.e. it is
 * the stored node (level h, index start / 2^h).
 */
export function perfectSubtrees(start: number, end: number): SubtreeRange[] {
  checkSize(start, 'range start');
  checkSize(end, 'range end');
  if (start > end) throw new MerkleError('BAD_RANGE', `range [${start}, ${end}) is reversed`);
  const out: SubtreeRange[] = [];
  let s = start;
  while (s < end) {
    let w = 2 ** (bitLength(end - s) - 1);
    while (s % w !== 0) w /= 2;
    out.push({ start: s, end: s + w });
    s += w;
  }
  return out;
}

/** True iff [start, end) is a perfect subtree (a single stored node). */
export function isPerfect(r: SubtreeRange): boolean {
  const n = r.end - r.start;
  return isPowerOfTwo(n) && r.start % n === 0;
}

/**
 * True iff [start, end) is a node of some RFC 9162 tree: start is a multiple of
 * the smallest power of two ≥ end − start. Every range a proof asks for has this
 * shape; it is either perfect or a "right edge" subtree whose end is the tree
 * size, and MTH of it is the right fold of its `perfectSubtrees` (see
 * `hashFromPerfectSubtrees`).
 */
export function isTreeNode(r: SubtreeRange): boolean {
  const n = r.end - r.start;
  if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || r.start < 0 || n < 1) return false;
  const p = n === 1 ? 1 : 2 ** bitLength(n - 1);
  return r.start % p === 0;
}

/**
 * The subtrees whose hashes form the inclusion proof for leaf `index` in the
 * tree of `size` leaves, in proof order (RFC 9162 §2.1.3.1 PATH: the sibling
 * nearest the leaf first, the top-level sibling last). Pure; O(log size).
 */
export function inclusionProofRanges(index: number, size: number): SubtreeRange[] {
  checkInclusionRequest(index, size);
  const siblings: SubtreeRange[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      siblings.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      siblings.push({ start: lo, end: lo + k });
      lo += k;
    }
  }
  return siblings.reverse();
}

/**
 * The subtrees whose hashes form the consistency proof between the trees of
 * `size1` and `size2` leaves (0 < size1 ≤ size2), in proof order (RFC 9162
 * §2.1.4.1 SUBPROOF). Empty when size1 = size2. Pure; O(log size2).
 */
export function consistencyProofRanges(size1: number, size2: number): SubtreeRange[] {
  checkConsistencyRequest(size1, size2);
  const siblings: SubtreeRange[] = [];
  let lo = 0;
  let hi = size2;
  let whole = true; // SUBPROOF's b: still on the path where D[0:size1] is a complete subtree
  let head: SubtreeRange | undefined;
  for (;;) {
    if (size1 === hi) {
      if (!whole) head = { start: lo, end: hi };
      break;
    }
    const k = splitPoint(hi - lo);
    if (size1 <= lo + k) {
      siblings.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      siblings.push({ start: lo, end: lo + k });
      lo += k;
      whole = false;
    }
  }
  siblings.reverse();
  return head ? [head, ...siblings] : siblings;
}

/** Expected inclusion proof length for (index, size), validated. */
export function inclusionProofLength(index: number, size: number): number {
  checkInclusionRequest(index, size);
  let n = 0;
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) hi = lo + k;
    else lo += k;
    n++;
  }
  return n;
}
