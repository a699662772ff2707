import { MerkleError } from './errors.js';
import { assertHash, hashChildren, hashEquals } from './hash.js';
import { checkProof, checkProofLength } from './proof-input.js';
import { checkInclusionRequest, inclusionProofLength, inclusionProofRanges } from './ranges.js';
import { checkSourceAnswer, type SubtreeHashSource } from './source.js';

/**
 * Inclusion proof for leaf `index` in the tree of `size` leaves (RFC 9162
 * §2.1.3.1), built from the O(log size) subtree hashes `source` returns for
 * `inclusionProofRanges(index, size)`. Throws MerkleError on a bad request
 * (INVALID_*, EMPTY_TREE, INDEX_OUT_OF_RANGE) or a bad source answer.
 */
export async function inclusionProof(source: SubtreeHashSource, index: number, size: number): Promise<Uint8Array[]> {
  const ranges = inclusionProofRanges(index, size);
  if (ranges.length === 0) return [];
  return checkSourceAnswer(ranges, await source.subtreeHashes(ranges));
}

/**
 * The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1–5, without
 * the final comparison). Every input is validated first; anything malformed
 * is a MerkleError: index/size not safe integers, size 0, index ≥ size, hashes
 * not 32 bytes, proof not an array, or a proof of the wrong length for
 * (index, size) — PROOF_TOO_SHORT / PROOF_TOO_LONG.
 */
export function rootFromInclusionProof(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[]): Uint8Array {
  checkInclusionRequest(index, size);
  assertHash(leafHash, 'leaf hash');
  const path = checkProof(proof);
  checkProofLength(path.length, inclusionProofLength(index, size), 'inclusion');

  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of path) {
    if (sn === 0) throw new MerkleError('PROOF_TOO_LONG', 'inclusion proof continues past the root');
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new MerkleError('PROOF_TOO_SHORT', 'inclusion proof ends below the root');
  return r === leafHash ? Uint8Array.from(r) : r;
}

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with
 * root `root` (RFC 9162 §2.1.3.2). Returns normally on success; throws
 * MerkleError otherwise — ROOT_MISMATCH when a well-formed proof leads elsewhere.
 */
export function verifyInclusion(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): void {
  checkInclusionRequest(index, size);
  assertHash(leafHash, 'leaf hash');
  assertHash(root, 'root');
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  if (!hashEquals(computed, root)) {
    throw new MerkleError('ROOT_MISMATCH', `inclusion proof for leaf ${index} in tree of size ${size} does not lead to the given root`);
  }
}
