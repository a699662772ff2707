import { MerkleError } from './errors.js';
import { assertHash, emptyRoot, hashChildren } from './hash.js';
import { hashFromPerfectSubtrees } from './root.js';
import { bitLength, checkSize, perfectSubtrees } from './ranges.js';

/**
 * Called for every interior node a CompactRange completes: the perfect subtree
 * at (level ≥ 1, index), covering leaves [index·2^level, (index+1)·2^level).
 * Storage can persist these to answer `SubtreeHashSource` requests later.
 */
export type NodeVisitor = (level: number, index: number, hash: Uint8Array) => void;

/**
 * A compact range (as in transparency-dev/merkle `compact.Range`): the hashes of
 * the perfect subtrees `perfectSubtrees(begin, end)`, at most ~2·log2 of them.
 * Starting at 0 it is the tree's frontier: `append` is O(1) amortized (O(log n)
 * worst case) and `root()` gives the current root in O(log n). Adjacent ranges
 * built independently (e.g. by parallel workers, or as leaves arrive out of
 * order) `merge` into one.
 *
 * Hashes handed in are copied; hashes handed out are fresh.
 */
export class CompactRange {
  readonly #begin: number;
  #end: number;
  readonly #hashes: Uint8Array[];

  private constructor(begin: number, end: number, hashes: Uint8Array[]) {
    this.#begin = begin;
    this.#end = end;
    this.#hashes = hashes;
  }

  /** An empty range at `begin` (default 0: an empty tree's frontier). */
  static empty(begin = 0): CompactRange {
    checkSize(begin, 'range begin');
    return new CompactRange(begin, begin, []);
  }

  /**
   * Restores a range from the hashes of `perfectSubtrees(begin, end)` (left to
   * right), e.g. a frontier read back from storage. Throws SOURCE_ERROR on a
   * wrong count, BAD_HASH_LENGTH on a bad hash.
   */
  static fromSubtrees(begin: number, end: number, hashes: readonly Uint8Array[]): CompactRange {
    const want = perfectSubtrees(begin, end).length;
    if (!Array.isArray(hashes) || hashes.length !== want) {
      throw new MerkleError('SOURCE_ERROR', `range [${begin}, ${end}) needs ${want} subtree hashes, got ${Array.isArray(hashes) ? hashes.length : typeof hashes}`);
    }
    return new CompactRange(begin, end, hashes.map((h, i) => {
      assertHash(h, `subtree hash ${i}`);
      return Uint8Array.from(h);
    }));
  }

  get begin(): number {
    return this.#begin;
  }

  get end(): number {
    return this.#end;
  }

  /** Leaves covered: end − begin. For a range at 0 this is the tree size. */
  get size(): number {
    return this.#end - this.#begin;
  }

  /** Copies of the perfect subtree hashes, matching `perfectSubtrees(begin, end)`. */
  hashes(): Uint8Array[] {
    return this.#hashes.map((h) => Uint8Array.from(h));
  }

  clone(): CompactRange {
    return new CompactRange(this.#begin, this.#end, this.#hashes.slice());
  }

  /** Appends one leaf hash (32 bytes). */
  append(leafHash: Uint8Array, visit?: NodeVisitor): void {
    assertHash(leafHash, 'leaf hash');
    this.#push(0, Uint8Array.from(leafHash), visit);
  }

  /** Appends many leaf hashes in order. */
  appendMany(leafHashes: Iterable<Uint8Array>, visit?: NodeVisitor): void {
    for (const h of leafHashes) this.append(h, visit);
  }

  /**
   * Extends this range by the adjacent range `other` (other.begin must equal
   * this.end); `other` is left unchanged. Throws BAD_RANGE if not adjacent.
   */
  merge(other: CompactRange, visit?: NodeVisitor): void {
    if (other.#begin !== this.#end) {
      throw new MerkleError('BAD_RANGE', `cannot merge [${other.#begin}, ${other.#end}) onto [${this.#begin}, ${this.#end}): not adjacent`);
    }
    const pieces = perfectSubtrees(other.#begin, other.#end);
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      this.#push(bitLength(p.end - p.start) - 1, other.#hashes[i]!, visit);
    }
  }

  /**
   * The root hash of the tree [0, end). Only a range starting at 0 has one;
   * otherwise throws BAD_RANGE. The empty tree gives SHA-256("").
   */
  root(): Uint8Array {
    if (this.#begin !== 0) throw new MerkleError('BAD_RANGE', `range [${this.#begin}, ${this.#end}) is not a tree prefix; it has no root`);
    return this.#hashes.length === 0 ? emptyRoot() : hashFromPerfectSubtrees(this.#hashes);
  }

  /**
   * Adds the perfect subtree at (level, end / 2^level), merging it with its left
   * siblings while they lie inside the range: the stored list stays equal to
   * `perfectSubtrees(begin, end)`.
   */
  #push(level: number, hash: Uint8Array, visit: NodeVisitor | undefined): void {
    const width = 2 ** level;
    let idx = this.#end / width;
    let lvl = level;
    let cur = hash;
    this.#end += width;
    while (idx % 2 === 1 && (idx - 1) * 2 ** lvl >= this.#begin) {
      const left = this.#hashes.pop()!;
      cur = hashChildren(left, cur);
      idx = (idx - 1) / 2;
      lvl++;
      visit?.(lvl, idx, cur);
    }
    this.#hashes.push(cur);
  }
}
