import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../support/seeded-random.js';
import {
  CompactRange,
  MemoryTree,
  MerkleError,
  type MerkleErrorReason,
  type SubtreeHashSource,
  type SubtreeRange,
  consistencyProof,
  consistencyProofRanges,
  hashLeaf,
  inclusionProof,
  inclusionProofLength,
  inclusionProofRanges,
  isPerfect,
  isTreeNode,
  perfectSubtrees,
  rootFromInclusionProof,
  rootFromSubtrees,
  subtreeHashFromPerfect,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/crypto/merkle/index.js';

// ---------------------------------------------------------------------------
// Seeded PRNG (mulberry32). Override with MERKLE_SEED=<uint32> to replay a run.
const SEED = process.env.MERKLE_SEED ? Number(process.env.MERKLE_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
console.log(`merkle-tree.test: seed ${SEED} (replay with MERKLE_SEED=${SEED})`);

const mulberry32 = seededRandom;
const rand = mulberry32(SEED);
const randInt = (n: number): number => Math.floor(rand() * n); // [0, n)

// ---------------------------------------------------------------------------
// Naive reference, straight from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, with
// its own hashing (node:crypto + Buffer.concat). MTH results are memoised by
// range: leaves never change, so this is the same function, just not recomputed.
const sha256 = (...parts: Uint8Array[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

class NaiveTree {
  readonly #memo = new Map<string, Buffer>();
  constructor(readonly data: readonly Uint8Array[]) {}

  /** largest power of two smaller than n (n > 1) */
  static k(n: number): number {
    let k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  /** MTH(D[lo:hi]) */
  mth(lo: number, hi: number): Buffer {
    const key = `${lo}:${hi}`;
    const hit = this.#memo.get(key);
    if (hit) return hit;
    const n = hi - lo;
    let h: Buffer;
    if (n === 0) h = sha256();
    else if (n === 1) h = sha256(LEAF, this.data[lo]!);
    else {
      const k = NaiveTree.k(n);
      h = sha256(NODE, this.mth(lo, lo + k), this.mth(lo + k, hi));
    }
    this.#memo.set(key, h);
    return h;
  }

  leafHash(i: number): Buffer {
    return this.mth(i, i + 1);
  }

  /** PATH(m, D[lo:hi]) */
  path(m: number, lo: number, hi: number): Buffer[] {
    const n = hi - lo;
    if (n === 1) return [];
    const k = NaiveTree.k(n);
    if (m < k) return [...this.path(m, lo, lo + k), this.mth(lo + k, hi)];
    return [...this.path(m - k, lo + k, hi), this.mth(lo, lo + k)];
  }

  /** PROOF(m, D[0:n]) */
  proof(m: number, n: number): Buffer[] {
    return this.subproof(m, 0, n, true);
  }

  /** SUBPROOF(m, D[lo:hi], b), m relative to lo */
  subproof(m: number, lo: number, hi: number, b: boolean): Buffer[] {
    const n = hi - lo;
    if (m === n) return b ? [] : [this.mth(lo, hi)];
    const k = NaiveTree.k(n);
    if (m <= k) return [...this.subproof(m, lo, lo + k, b), this.mth(lo + k, hi)];
    return [...this.subproof(m - k, lo + k, hi, false), this.mth(lo, lo + k)];
  }
}

// ---------------------------------------------------------------------------
const N = 1000;
const data: Uint8Array[] = Array.from({ length: N }, (_, i) => {
  const d = new Uint8Array(4 + randInt(24));
  new DataView(d.buffer).setUint32(0, i);
  for (let j = 4; j < d.length; j++) d[j] = randInt(256);
  return d;
});
const naive = new NaiveTree(data);
const leafHashes = data.map((d) => hashLeaf(d));

const tree = new MemoryTree();
for (const h of leafHashes) tree.append(h);

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const hexes = (bs: readonly Uint8Array[]): string[] => bs.map(toHex);
const flipBit = (b: Uint8Array, bit: number): Uint8Array => {
  const c = Uint8Array.from(b);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
};

function shuffled<T>(xs: readonly T[]): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** The MerkleError reason fn throws; fails on success or on any non-MerkleError. */
function reasonOf(fn: () => unknown): MerkleErrorReason {
  try {
    fn();
  } catch (err) {
    if (err instanceof MerkleError) return err.reason;
    throw new Error(`expected a MerkleError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a MerkleError, got success');
}

async function asyncReasonOf(p: () => Promise<unknown>): Promise<MerkleErrorReason> {
  try {
    await p();
  } catch (err) {
    if (err instanceof MerkleError) return err.reason;
    throw new Error(`expected a MerkleError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a MerkleError, got success');
}

/** Indices checked for a tree of size n: all for small trees, else edges + random. */
function sampleIndices(n: number): number[] {
  if (n <= 64) return Array.from({ length: n }, (_, i) => i);
  const s = new Set([0, 1, n >> 1, n - 2, n - 1]);
  while (s.size < 12) s.add(randInt(n));
  return [...s];
}

// ---------------------------------------------------------------------------
describe('Merkle tree vs naive RFC 9162 reference (Trillian-style)', () => {
  it(`roots of a ${N}-leaf tree appended in shuffled order (compact ranges merged as leaves arrive)`, () => {
    const byBegin = new Map<number, CompactRange>();
    const byEnd = new Map<number, CompactRange>();
    const visited: Array<[number, number, Uint8Array]> = [];
    const visit = (level: number, index: number, hash: Uint8Array) => visited.push([level, index, hash]);
    let prefixChecks = 0;

    for (const i of shuffled(Array.from({ length: N }, (_, j) => j))) {
      let r = CompactRange.empty(i);
      r.append(leafHashes[i]!, visit);
      const left = byEnd.get(i);
      if (left) {
        byBegin.delete(left.begin);
        byEnd.delete(left.end);
        left.merge(r, visit);
        r = left;
      }
      const right = byBegin.get(r.end);
      if (right) {
        byBegin.delete(right.begin);
        byEnd.delete(right.end);
        r.merge(right, visit);
      }
      byBegin.set(r.begin, r);
      byEnd.set(r.end, r);
      // Every stored list is exactly the compact range of its span.
      const pieces = perfectSubtrees(r.begin, r.end);
      expect(hexes(r.hashes())).toEqual(pieces.map((p) => toHex(naive.mth(p.start, p.end))));
      if (r.begin === 0) {
        expect(toHex(r.root())).toBe(toHex(naive.mth(0, r.end)));
        prefixChecks++;
      }
    }
    expect(byBegin.size).toBe(1);
    const whole = byBegin.get(0)!;
    expect(whole.end).toBe(N);
    expect(toHex(whole.root())).toBe(toHex(naive.mth(0, N)));
    expect(prefixChecks).toBeGreaterThan(0);
    // Every interior node reported is the right perfect subtree, each exactly once.
    expect(visited.length).toBe(N - perfectSubtrees(0, N).length);
    const seen = new Set<string>();
    for (const [level, index, hash] of visited) {
      const w = 2 ** level;
      expect(toHex(hash)).toBe(toHex(naive.mth(index * w, (index + 1) * w)));
      seen.add(`${level}:${index}`);
    }
    expect(seen.size).toBe(visited.length);
  });

  it('roots for every tree size: MemoryTree, sequential CompactRange, rootFromSubtrees', () => {
    const frontier = CompactRange.empty();
    expect(toHex(frontier.root())).toBe(toHex(naive.mth(0, 0)));
    expect(toHex(tree.root(0))).toBe(toHex(naive.mth(0, 0)));
    for (let n = 1; n <= N; n++) {
      frontier.append(leafHashes[n - 1]!);
      const want = toHex(naive.mth(0, n));
      expect(toHex(tree.root(n))).toBe(want);
      expect(toHex(frontier.root())).toBe(want);
      // Restoring the frontier from stored subtree hashes gives the same root and keeps appending correctly.
      if (n % 97 === 0) {
        const hs = perfectSubtrees(0, n).map((p) => naive.mth(p.start, p.end));
        expect(toHex(rootFromSubtrees(n, hs))).toBe(want);
        const restored = CompactRange.fromSubtrees(0, n, hs);
        if (n < N) {
          restored.append(leafHashes[n]!);
          expect(toHex(restored.root())).toBe(toHex(naive.mth(0, n + 1)));
        }
      }
    }
  });

  it('inclusion proofs at sampled indices (all indices up to size 64) for every tree size', async () => {
    let checked = 0;
    for (let n = 1; n <= N; n++) {
      const root = tree.root(n);
      for (const i of sampleIndices(n)) {
        const proof = tree.inclusionProof(i, n);
        expect(hexes(proof)).toEqual(hexes(naive.path(i, 0, n)));
        expect(proof.length).toBe(inclusionProofLength(i, n));
        verifyInclusion(naive.leafHash(i), i, n, proof, root);
        checked++;
        // A wrong index or a tampered element must not verify.
        if (checked % 7 === 0) {
          if (n > 1) {
            const j = i === n - 1 ? i - 1 : i + 1;
            expect(() => verifyInclusion(naive.leafHash(i), j, n, proof, root)).toThrow(MerkleError);
          }
          if (proof.length > 0) {
            const k = randInt(proof.length);
            const bad = proof.map((p, x) => (x === k ? flipBit(p, randInt(256)) : p));
            expect(reasonOf(() => verifyInclusion(naive.leafHash(i), i, n, bad, root))).toBe('ROOT_MISMATCH');
            expect(reasonOf(() => verifyInclusion(naive.leafHash(i), i, n, proof.slice(0, -1), root))).toBe('PROOF_TOO_SHORT');
          }
          expect(reasonOf(() => verifyInclusion(naive.leafHash(i), i, n, [...proof, root], root))).toBe('PROOF_TOO_LONG');
          expect(reasonOf(() => verifyInclusion(flipBit(naive.leafHash(i), 0), i, n, proof, root))).toBe('ROOT_MISMATCH');
        }
      }
      // The generic async path over the abstract source gives the same proofs.
      if (n % 50 === 0) {
        const i = randInt(n);
        expect(hexes(await inclusionProof(tree, i, n))).toEqual(hexes(tree.inclusionProof(i, n)));
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('consistency proofs between many size pairs', async () => {
    const pairs: Array<[number, number]> = [];
    for (let n = 1; n <= 48; n++) for (let m = 1; m <= n; m++) pairs.push([m, n]);
    for (let x = 0; x < 3000; x++) {
      const n = 1 + randInt(N);
      pairs.push([1 + randInt(n), n]);
    }
    for (const m of [1, 2, 511, 512, 513, 999]) pairs.push([m, N]);

    let checked = 0;
    for (const [m, n] of pairs) {
      const proof = tree.consistencyProof(m, n);
      expect(hexes(proof)).toEqual(hexes(naive.proof(m, n)));
      const r1 = tree.root(m);
      const r2 = tree.root(n);
      verifyConsistency(m, n, proof, r1, r2);
      checked++;
      if (checked % 5 === 0 && m < n) {
        expect(reasonOf(() => verifyConsistency(m, n, proof, flipBit(r1, randInt(256)), r2))).toBe('ROOT_MISMATCH');
        expect(reasonOf(() => verifyConsistency(m, n, proof, r1, flipBit(r2, randInt(256))))).toBe('ROOT_MISMATCH');
        expect(() => verifyConsistency(m, n, proof, r2, r1)).toThrow(MerkleError);
        const k = randInt(proof.length);
        expect(reasonOf(() => verifyConsistency(m, n, proof.map((p, x) => (x === k ? flipBit(p, randInt(256)) : p)), r1, r2))).toBe('ROOT_MISMATCH');
        expect(reasonOf(() => verifyConsistency(m, n, proof.slice(1), r1, r2))).toBe('PROOF_TOO_SHORT');
        expect(reasonOf(() => verifyConsistency(m, n, [...proof, r2], r1, r2))).toBe('PROOF_TOO_LONG');
        // (No check that (m, n + 1) fails: a root does not commit to its size, so e.g. the proof
        // [leaf 2] for (2, 3) also "verifies" (2, 4) against root(3). Signed tree heads bind the size.)
      }
    }
    expect(hexes(await consistencyProof(tree, 123, 789))).toEqual(hexes(naive.proof(123, 789)));
    expect(await consistencyProof(tree, 5, 5)).toEqual([]);
    expect(checked).toBe(pairs.length);
  });

  it('proofs from a source that stores only perfect subtrees (the storage contract)', async () => {
    // Like a PostgreSQL node table: the leaves plus every interior node the frontier reported.
    const nodes = new Map<string, Uint8Array>();
    const frontier = CompactRange.empty();
    leafHashes.forEach((h, i) => {
      nodes.set(`0:${i}`, h);
      frontier.append(h, (level, index, hash) => nodes.set(`${level}:${index}`, hash));
    });
    const requested: SubtreeRange[] = [];
    const source: SubtreeHashSource = {
      async subtreeHashes(ranges) {
        requested.push(...ranges);
        return ranges.map((r) => {
          expect(isTreeNode(r)).toBe(true);
          const get = (p: SubtreeRange) => {
            const w = p.end - p.start;
            const h = nodes.get(`${Math.log2(w)}:${p.start / w}`);
            if (!h) throw new Error(`node [${p.start}, ${p.end}) not stored`);
            return h;
          };
          return isPerfect(r) ? get(r) : subtreeHashFromPerfect(r, perfectSubtrees(r.start, r.end).map(get));
        });
      },
    };
    for (let x = 0; x < 200; x++) {
      const n = 1 + randInt(N);
      const i = randInt(n);
      const m = 1 + randInt(n);
      expect(hexes(await inclusionProof(source, i, n))).toEqual(hexes(naive.path(i, 0, n)));
      expect(hexes(await consistencyProof(source, m, n))).toEqual(hexes(naive.proof(m, n)));
    }
    // Every non-perfect range requested ends at the tree size it was asked for.
    expect(requested.every((r) => isPerfect(r) || isTreeNode(r))).toBe(true);
    // A source that answers badly is reported, not trusted.
    const short: SubtreeHashSource = { subtreeHashes: (ranges) => ranges.slice(1).map(() => new Uint8Array(32)) };
    expect(await asyncReasonOf(() => inclusionProof(short, 3, 10))).toBe('SOURCE_ERROR');
    const bad: SubtreeHashSource = { subtreeHashes: (ranges) => ranges.map(() => new Uint8Array(31)) };
    expect(await asyncReasonOf(() => consistencyProof(bad, 3, 10))).toBe('SOURCE_ERROR');
  });

  it('invalid requests are answered with typed errors', async () => {
    const cases: Array<[() => unknown, MerkleErrorReason]> = [
      [() => tree.inclusionProof(0, 0), 'EMPTY_TREE'],
      [() => tree.inclusionProof(-1, 10), 'INVALID_INDEX'],
      [() => tree.inclusionProof(1.5, 10), 'INVALID_INDEX'],
      [() => tree.inclusionProof(Number.NaN, 10), 'INVALID_INDEX'],
      [() => tree.inclusionProof(10, 10), 'INDEX_OUT_OF_RANGE'],
      [() => tree.inclusionProof(0, -1), 'INVALID_SIZE'],
      [() => tree.inclusionProof(0, N + 1), 'SIZE_BEYOND_TREE'],
      [() => tree.inclusionProof(N, N), 'INDEX_OUT_OF_RANGE'],
      [() => tree.consistencyProof(0, 5), 'EMPTY_TREE'],
      [() => tree.consistencyProof(0, 0), 'EMPTY_TREE'],
      [() => tree.consistencyProof(6, 5), 'SIZE_ORDER'],
      [() => tree.consistencyProof(-1, 5), 'INVALID_SIZE'],
      [() => tree.consistencyProof(5, N + 1), 'SIZE_BEYOND_TREE'],
      [() => tree.consistencyProof(5, Infinity), 'INVALID_SIZE'],
      [() => tree.root(-1), 'INVALID_SIZE'],
      [() => tree.root(N + 1), 'SIZE_BEYOND_TREE'],
      [() => tree.leafHash(N), 'INDEX_OUT_OF_RANGE'],
      [() => tree.append(new Uint8Array(31)), 'BAD_HASH_LENGTH'],
      [() => inclusionProofRanges(0, 0), 'EMPTY_TREE'],
      [() => inclusionProofRanges(2 ** 53, 2 ** 53 + 2), 'INVALID_SIZE'],
      [() => consistencyProofRanges(3, 2), 'SIZE_ORDER'],
      [() => perfectSubtrees(5, 3), 'BAD_RANGE'],
      [() => tree.subtreeHash({ start: 1, end: 3 }), 'BAD_RANGE'],
      [() => CompactRange.empty(4).root(), 'BAD_RANGE'],
      [() => CompactRange.empty(0).merge(CompactRange.empty(3)), 'BAD_RANGE'],
      [() => CompactRange.fromSubtrees(0, 3, [new Uint8Array(32)]), 'SOURCE_ERROR'],
      [() => rootFromSubtrees(3, [new Uint8Array(32)]), 'SOURCE_ERROR'],
    ];
    for (const [fn, reason] of cases) expect(reasonOf(fn), fn.toString()).toBe(reason);
    expect(await asyncReasonOf(() => inclusionProof(tree, 0, 0))).toBe('EMPTY_TREE');
    expect(await asyncReasonOf(() => inclusionProof(tree, -1, 5))).toBe('INVALID_INDEX');
    expect(await asyncReasonOf(() => inclusionProof(tree, 0, N + 1))).toBe('SIZE_BEYOND_TREE');
    expect(await asyncReasonOf(() => consistencyProof(tree, 0, 5))).toBe('EMPTY_TREE');
    expect(await asyncReasonOf(() => consistencyProof(tree, 7, N + 5))).toBe('SIZE_BEYOND_TREE');
  });

  it('verification rejects malformed input with MerkleError, never a TypeError', () => {
    const n = 77;
    const i = 41;
    const leaf = naive.leafHash(i);
    const root = tree.root(n);
    const proof = tree.inclusionProof(i, n);
    const cproof = tree.consistencyProof(30, n);
    const r30 = tree.root(30);
    const junk: unknown[] = [undefined, null, 'x', 7, {}, [], new Uint8Array(0), new Uint8Array(33), Buffer.alloc(31)];
    const anyArgs = verifyInclusion as (...args: unknown[]) => void;
    const anyCons = verifyConsistency as (...args: unknown[]) => void;

    for (const j of junk) {
      expect(reasonOf(() => anyArgs(j, i, n, proof, root))).toBe('BAD_HASH_LENGTH');
      expect(reasonOf(() => anyArgs(leaf, i, n, proof, j))).toBe('BAD_HASH_LENGTH');
      expect(reasonOf(() => anyArgs(leaf, i, n, [...proof.slice(0, 2), j, ...proof.slice(3)], root))).toBe('BAD_HASH_LENGTH');
      expect(reasonOf(() => anyCons(30, n, cproof, j, root))).toBe('BAD_HASH_LENGTH');
      expect(reasonOf(() => anyCons(30, n, cproof, r30, j))).toBe('BAD_HASH_LENGTH');
      expect(reasonOf(() => anyCons(30, n, [j, ...cproof.slice(1)], r30, root))).toBe('BAD_HASH_LENGTH');
    }
    for (const bad of ['3', 3n, -1, 1.5, Number.NaN, Infinity, 2 ** 53, null, undefined]) {
      expect(reasonOf(() => anyArgs(leaf, bad, n, proof, root))).toBe('INVALID_INDEX');
      expect(reasonOf(() => anyArgs(leaf, i, bad, proof, root))).toBe('INVALID_SIZE');
      expect(reasonOf(() => anyCons(bad, n, cproof, r30, root))).toBe('INVALID_SIZE');
      expect(reasonOf(() => anyCons(30, bad, cproof, r30, root))).toBe('INVALID_SIZE');
    }
    for (const p of ['proof', 5, {}, new Uint8Array(32)]) {
      expect(reasonOf(() => anyArgs(leaf, i, n, p, root))).toBe('BAD_PROOF_FORMAT');
      expect(reasonOf(() => anyCons(30, n, p, r30, root))).toBe('BAD_PROOF_FORMAT');
    }
    expect(reasonOf(() => verifyInclusion(leaf, i, 0, [], root))).toBe('EMPTY_TREE');
    expect(reasonOf(() => verifyInclusion(leaf, n, n, proof, root))).toBe('INDEX_OUT_OF_RANGE');
    expect(reasonOf(() => verifyInclusion(leaf, i, n, [], root))).toBe('PROOF_TOO_SHORT');
    expect(reasonOf(() => verifyInclusion(leaf, i, n, [...proof, proof[0]!], root))).toBe('PROOF_TOO_LONG');
    expect(reasonOf(() => verifyInclusion(leaf, i, n, [proof[0]!, ...proof], root))).toBe('PROOF_TOO_LONG');
    expect(reasonOf(() => verifyConsistency(0, 0, [], r30, r30))).toBe('EMPTY_TREE');
    expect(reasonOf(() => verifyConsistency(31, 30, [], r30, r30))).toBe('SIZE_ORDER');
    expect(reasonOf(() => verifyConsistency(30, 30, [r30], r30, r30))).toBe('PROOF_TOO_LONG');
    expect(reasonOf(() => verifyConsistency(30, n, [], r30, root))).toBe('PROOF_TOO_SHORT');
    // Caller-owned arrays are not modified.
    expect(hexes(proof)).toEqual(hexes(naive.path(i, 0, n)));
  });

  it('index arithmetic stays exact past 2^32 leaves', () => {
    // Reference proof length for huge trees via BigInt recursion over PATH.
    const pathLen = (m: bigint, n: bigint): number => {
      if (n === 1n) return 0;
      let k = 1n;
      while (k * 2n < n) k *= 2n;
      return 1 + (m < k ? pathLen(m, k) : pathLen(m - k, n - k));
    };
    for (const [i, n] of [
      [0, 2 ** 40],
      [2 ** 40 - 1, 2 ** 40 + 3],
      [2 ** 33 + 5, 2 ** 34 + 2 ** 33 + 7],
      [2 ** 52 + 12345, 2 ** 53 - 1],
      [2 ** 53 - 2, 2 ** 53 - 1],
    ] as Array<[number, number]>) {
      const want = pathLen(BigInt(i), BigInt(n));
      expect(inclusionProofLength(i, n)).toBe(want);
      const ranges = inclusionProofRanges(i, n);
      expect(ranges.length).toBe(want);
      for (const r of ranges) {
        expect(isTreeNode(r)).toBe(true);
        expect(isPerfect(r) || r.end === n).toBe(true);
        expect(r.end <= i || r.start > i).toBe(true);
      }
      // A well-formed but wrong proof is a root mismatch, not an arithmetic accident.
      const fake = Array.from({ length: want }, (_, x) => flipBit(new Uint8Array(32), x));
      const leaf = new Uint8Array(32);
      expect(rootFromInclusionProof(leaf, i, n, fake)).toHaveLength(32);
      expect(reasonOf(() => verifyInclusion(leaf, i, n, fake, new Uint8Array(32)))).toBe('ROOT_MISMATCH');
      const m = Math.max(1, i);
      const cr = consistencyProofRanges(m, n);
      for (const r of cr) expect(isPerfect(r) || r.end === n).toBe(true);
      const cfake = Array.from({ length: cr.length }, (_, x) => flipBit(new Uint8Array(32), x));
      if (m < n) expect(reasonOf(() => verifyConsistency(m, n, cfake, new Uint8Array(32), new Uint8Array(32)))).toBe('ROOT_MISMATCH');
    }
    const pieces = perfectSubtrees(2 ** 35 + 3, 2 ** 41 + 2 ** 33 + 1);
    expect(pieces[0]).toEqual({ start: 2 ** 35 + 3, end: 2 ** 35 + 4 });
    expect(pieces.at(-1)).toEqual({ start: 2 ** 41 + 2 ** 33, end: 2 ** 41 + 2 ** 33 + 1 });
    for (let x = 1; x < pieces.length; x++) expect(pieces[x]!.start).toBe(pieces[x - 1]!.end);
    expect(pieces.every(isPerfect)).toBe(true);
  });
});
