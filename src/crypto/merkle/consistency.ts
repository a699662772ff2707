import { MerkleError } from './errors.js';
import { assertHash, hashChildren, hashEquals } from './hash.js';
import { checkProof, checkProofLength } from './proof-input.js';
import { checkConsistencyRequest, consistencyProofRanges, isPowerOfTwo } from './ranges.js';
import { checkSourceAnswer, type SubtreeHashSource } from './source.js';

/**
 * Consistency proof between the trees of `size1` and `size2` leaves (RFC 9162
 * §2.1.4.1), from the subtree hashes `source` returns for
 * `consistencyProofRanges(size1, size2)`. Requires 0 < size1 ≤ size2 (equal
 * sizes give the empty proof); otherwise throws MerkleError.
 */
export async function consistencyProof(source: SubtreeHashSource, size1: number, size2: number): Promise<Uint8Array[]> {
  const ranges = consistencyProofRanges(size1, size2);
  if (ranges.length === 0) return [];
  return checkSourceAnswer(ranges, await source.subtreeHashes(ranges));
}

/**
 * Verifies that the tree of `size2` leaves with root `root2` extends the tree
 * of `size1` leaves with root `root1` (RFC 9162 §2.1.4.2). Returns normally on
 * success; throws MerkleError otherwise:
 * - INVALID_SIZE: a size is not a safe non-negative integer;
 * - SIZE_ORDER: size1 > size2;
 * - EMPTY_TREE: size1 = 0 (every tree "extends" the empty one; a witness must
 *   never accept that as evidence, so it is refused);
 * - BAD_HASH_LENGTH / BAD_PROOF_FORMAT: a root or proof element is not 32 bytes,
 *   or the proof is not an array;
 * - PROOF_TOO_SHORT / PROOF_TOO_LONG: wrong element count for (size1, size2)
 *   (equal sizes need the empty proof);
 * - ROOT_MISMATCH: a well-formed proof that does not reproduce root1 and root2
 *   (or equal sizes with different roots).
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  checkConsistencyRequest(size1, size2);
  assertHash(root1, 'root1');
  assertHash(root2, 'root2');
  const path = checkProof(proof);
  checkProofLength(path.length, consistencyProofRanges(size1, size2).length, 'consistency');

  if (size1 === size2) {
    if (!hashEquals(root1, root2)) throw new MerkleError('ROOT_MISMATCH', `two different roots for tree size ${size1}`);
    return;
  }

  // RFC 9162 §2.1.4.2. Step 2: a power-of-two first tree is itself a node of the second.
  const c = isPowerOfTwo(size1) ? [root1, ...path] : path;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = c[0]!;
  let sr: Uint8Array = c[0]!;
  for (let i = 1; i < c.length; i++) {
    const p = c[i]!;
    if (sn === 0) throw new MerkleError('PROOF_TOO_LONG', 'consistency proof continues past the root');
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(p, fr);
      sr = hashChildren(p, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new MerkleError('PROOF_TOO_SHORT', 'consistency proof ends below the root');
  if (!hashEquals(fr, root1)) throw new MerkleError('ROOT_MISMATCH', `consistency proof does not reproduce the root of size ${size1}`);
  if (!hashEquals(sr, root2)) throw new MerkleError('ROOT_MISMATCH', `consistency proof does not reproduce the root of size ${size2}`);
}
