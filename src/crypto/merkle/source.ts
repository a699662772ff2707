import { MerkleError } from './errors.js';
import { isHash } from './hash.js';
import type { SubtreeRange } from './ranges.js';

/**
 * Where proof generation gets its hashes. A proof over a log of any size needs
 * only O(log n) subtree hashes; `inclusionProofRanges` / `consistencyProofRanges`
 * list exactly which, so a store fetches just those.
 *
 * Contract for `subtreeHashes(ranges)`:
 * - Return one 32-byte hash per requested range, in the same order:
 *   MTH(D[start:end]) as defined by RFC 9162 §2.1.1 over the log's leaf hashes.
 * - Every range this library requests satisfies `isTreeNode` and lies within
 *   the tree size of the request. Each is either
 *     • perfect (`isPerfect`: end − start = 2^h, start a multiple of 2^h) — the
 *       stored node at (level h, index start / 2^h), e.g. from a node table or a
 *       tile; or
 *     • a right-edge subtree ending at the requested tree size — its hash is
 *       `subtreeHashFromPerfect(range, hashes of perfectSubtrees(start, end))`,
 *       i.e. at most ⌈log2⌉ further perfect nodes, all of which are stored.
 *   So storage that keeps every completed perfect subtree (or tiles of them)
 *   answers every request without reading leaves.
 * - Node hashes are immutable once their subtree is complete, so a source may
 *   serve any tree size up to its own; a range past the leaves it holds must be
 *   refused by throwing (MemoryTree throws MerkleError SIZE_BEYOND_TREE).
 * - Callers may mutate what is returned; sources must not hand out internal
 *   buffers they keep using.
 * The answer may be synchronous or a Promise (e.g. one SQL round trip).
 */
export interface SubtreeHashSource {
  subtreeHashes(ranges: readonly SubtreeRange[]): readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
}

/** Checks a source's answer against what was asked; throws SOURCE_ERROR. */
export function checkSourceAnswer(ranges: readonly SubtreeRange[], hashes: unknown): Uint8Array[] {
  if (!Array.isArray(hashes) || hashes.length !== ranges.length) {
    const got = Array.isArray(hashes) ? `${hashes.length} hashes` : typeof hashes;
    throw new MerkleError('SOURCE_ERROR', `hash source asked for ${ranges.length} subtree hashes, answered ${got}`);
  }
  return hashes.map((h: unknown, i) => {
    if (!isHash(h)) {
      const r = ranges[i]!;
      throw new MerkleError('SOURCE_ERROR', `hash source answered a non-32-byte hash for [${r.start}, ${r.end})`);
    }
    return h;
  });
}
