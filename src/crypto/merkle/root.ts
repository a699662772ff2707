import { MerkleError } from './errors.js';
import { assertHash, emptyRoot, hashChildren } from './hash.js';
import { checkSize, isTreeNode, perfectSubtrees, type SubtreeRange } from './ranges.js';

/**
 * MTH of an RFC 9162 tree node from the hashes of its perfect subtrees
 * (`perfectSubtrees(range.start, range.end)`, left to right): the right fold
 * H(p0, H(p1, … H(pk-1, pk))). A single perfect subtree is returned as is
 * (copied). Valid only for ranges where `isTreeNode` holds (which includes the
 * whole tree [0, size)); other ranges never appear in proofs.
 */
export function hashFromPerfectSubtrees(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) throw new MerkleError('BAD_RANGE', 'no subtree hashes to combine');
  let i = hashes.length - 1;
  const last = hashes[i];
  assertHash(last, `subtree hash ${i}`);
  let acc: Uint8Array = Uint8Array.from(last);
  while (i-- > 0) {
    const h = hashes[i];
    assertHash(h, `subtree hash ${i}`);
    acc = hashChildren(h, acc);
  }
  return acc;
}

/**
 * The root of the tree of `size` leaves from the hashes of
 * `perfectSubtrees(0, size)` (left to right) — e.g. what storage keeps as the
 * frontier, or fetches from stored perfect subtrees / tiles. Size 0 gives
 * SHA-256(""). Throws SOURCE_ERROR if the count does not match.
 */
export function rootFromSubtrees(size: number, hashes: readonly Uint8Array[]): Uint8Array {
  checkSize(size);
  if (size === 0) {
    if (hashes.length !== 0) throw new MerkleError('SOURCE_ERROR', `empty tree takes no subtree hashes, got ${hashes.length}`);
    return emptyRoot();
  }
  return subtreeHashFromPerfect({ start: 0, end: size }, hashes);
}

/** MTH(D[range]) for a tree-node range, given the hashes of `perfectSubtrees(range)`; checks the count. */
export function subtreeHashFromPerfect(range: SubtreeRange, hashes: readonly Uint8Array[]): Uint8Array {
  if (!isTreeNode(range)) throw new MerkleError('BAD_RANGE', `[${range.start}, ${range.end}) is not a node of an RFC 9162 tree`);
  const want = perfectSubtrees(range.start, range.end).length;
  if (hashes.length !== want) {
    throw new MerkleError('SOURCE_ERROR', `[${range.start}, ${range.end}) needs ${want} perfect subtree hashes, got ${hashes.length}`);
  }
  return hashFromPerfectSubtrees(hashes);
}
