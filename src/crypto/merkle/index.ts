/**
 * RFC 9162 (Certificate Transparency v2) Merkle trees over SHA-256: hashing,
 * roots, inclusion and consistency proofs, compact ranges. Pure: no I/O.
 * Proof generation reads from a `SubtreeHashSource` and needs only the
 * O(log n) subtree hashes that `inclusionProofRanges` / `consistencyProofRanges`
 * list, so PostgreSQL-backed storage fetches exactly those.
 */
export { MerkleError, isMerkleError, type MerkleErrorReason } from './errors.js';
export { HASH_SIZE, emptyRoot, hashLeaf, hashChildren, isHash, assertHash, hashEquals } from './hash.js';
export {
  type SubtreeRange,
  bitLength,
  splitPoint,
  isPowerOfTwo,
  isPerfect,
  isTreeNode,
  perfectSubtrees,
  inclusionProofRanges,
  inclusionProofLength,
  consistencyProofRanges,
  checkSize,
  checkIndex,
  checkInclusionRequest,
  checkConsistencyRequest,
} from './ranges.js';
export { hashFromPerfectSubtrees, rootFromSubtrees, subtreeHashFromPerfect } from './root.js';
export { type SubtreeHashSource, checkSourceAnswer } from './source.js';
export { inclusionProof, rootFromInclusionProof, verifyInclusion } from './inclusion.js';
export { consistencyProof, verifyConsistency } from './consistency.js';
export { CompactRange, type NodeVisitor } from './compact-range.js';
export { MemoryTree } from './memory.js';
