import { MerkleError } from './errors.js';
import { assertHash, emptyRoot, hashChildren, hashLeaf, HASH_SIZE } from './hash.js';
import { hashFromPerfectSubtrees } from './root.js';
import { bitLength, checkInclusionRequest, checkConsistencyRequest, checkSize, consistencyProofRanges, inclusionProofRanges, isTreeNode, perfectSubtrees, type SubtreeRange } from './ranges.js';
import type { SubtreeHashSource } from './source.js';

/** One level of perfect-subtree hashes, packed 32 bytes each in a growable buffer. */
class Level {
  buf = new Uint8Array(HASH_SIZE * 16);
  count = 0;

  push(h: Uint8Array): void {
    if ((this.count + 1) * HASH_SIZE > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(h, this.count * HASH_SIZE);
    this.count++;
  }

  /** A view (not a copy) of hash i; never mutated, since nodes are immutable once written. */
  view(i: number): Uint8Array {
    return this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }
}

/**
 * An in-memory log keeping every perfect subtree hash (2n − 1 hashes for n
 * leaves): the reference `SubtreeHashSource` for tests and small logs. Roots
 * and proofs for any size up to the current one are O(log n).
 */
export class MemoryTree implements SubtreeHashSource {
  readonly #levels: Level[] = [new Level()];

  /** Number of leaves. */
  get size(): number {
    return this.#levels[0]!.count;
  }

  /** Appends a leaf by its data (hashed with `hashLeaf`); returns its index. */
  appendData(data: Uint8Array): number {
    return this.append(hashLeaf(data));
  }

  /** Appends a leaf by its 32-byte leaf hash; returns its index. */
  append(leafHash: Uint8Array): number {
    assertHash(leafHash, 'leaf hash');
    const index = this.size;
    let idx = index;
    let cur = leafHash;
    for (let lvl = 0; ; lvl++) {
      const level = this.#levels[lvl] ?? (this.#levels[lvl] = new Level());
      level.push(cur);
      if (idx % 2 === 0) break;
      cur = hashChildren(level.view(idx - 1), level.view(idx));
      idx = (idx - 1) / 2;
    }
    return index;
  }

  /** The leaf hash at `index` (a copy). */
  leafHash(index: number): Uint8Array {
    checkInclusionRequest(index, this.size);
    return Uint8Array.from(this.#levels[0]!.view(index));
  }

  /** MTH of a tree-node range within the current leaves (see SubtreeHashSource). */
  subtreeHash(range: SubtreeRange): Uint8Array {
    if (!isTreeNode(range)) throw new MerkleError('BAD_RANGE', `[${range.start}, ${range.end}) is not a node of an RFC 9162 tree`);
    if (range.end > this.size) throw new MerkleError('SIZE_BEYOND_TREE', `range [${range.start}, ${range.end}) is past the ${this.size} leaves held`);
    const pieces = perfectSubtrees(range.start, range.end).map((p) => {
      const w = p.end - p.start;
      const lvl = bitLength(w) - 1;
      return this.#levels[lvl]!.view(p.start / w);
    });
    return hashFromPerfectSubtrees(pieces);
  }

  subtreeHashes(ranges: readonly SubtreeRange[]): Uint8Array[] {
    return ranges.map((r) => this.subtreeHash(r));
  }

  /** The root of the tree of the first `size` leaves (default: all). */
  root(size: number = this.size): Uint8Array {
    this.#checkHeld(size);
    return size === 0 ? emptyRoot() : this.subtreeHash({ start: 0, end: size });
  }

  /** Synchronous inclusion proof (same result as `inclusionProof(this, …)`). */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    checkInclusionRequest(index, size);
    this.#checkHeld(size);
    return this.subtreeHashes(inclusionProofRanges(index, size));
  }

  /** Synchronous consistency proof (same result as `consistencyProof(this, …)`). */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    checkConsistencyRequest(size1, size2);
    this.#checkHeld(size2);
    return this.subtreeHashes(consistencyProofRanges(size1, size2));
  }

  #checkHeld(size: number): void {
    checkSize(size);
    if (size > this.size) throw new MerkleError('SIZE_BEYOND_TREE', `tree size ${size} is past the ${this.size} leaves held`);
  }
}
