import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import { CordonError } from '../errors.js';
import {
  CompactRange,
  MerkleError,
  bitLength,
  checkConsistencyRequest,
  checkInclusionRequest,
  checkSize,
  consistencyProof,
  hashEquals,
  hashLeaf,
  inclusionProof,
  isPerfect,
  perfectSubtrees,
  rootFromSubtrees,
  subtreeHashFromPerfect,
  type SubtreeHashSource,
  type SubtreeRange,
} from '../crypto/merkle/index.js';
import * as store from './log-store.js';

/**
 * A node's RFC 9162 transparency log in PostgreSQL (DESIGN.md §7).
 *
 * - Leaves live in log_entries (leaf hash = hashLeaf(entry)); every completed
 *   perfect subtree above them in log_nodes, so roots and proofs for any size
 *   read O(log n) stored hashes in one query and never re-hash leaves.
 * - One sequencer: `append` takes a transaction-level advisory lock, reads the
 *   size and frontier, and inserts the leaves with consecutive indices and the
 *   nodes they complete in the same transaction. A rolled-back append leaves no
 *   trace, so indices are durable and gap-free.
 * - Signed tree heads: a detached Ed25519 signature over `treeHeadMessage`.
 */

export interface LogEntryInput { kind: string; ref: string; entry: Uint8Array }

export interface SignedTreeHead {
  size: number;
  root: Uint8Array;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** Key id of the signing key. */
  kid: string;
  /** base64url of the 64-byte Ed25519 signature over `treeHeadMessage`. */
  signature: string;
}

export type FsckMismatchKind =
  | 'missing_leaf' // no row at an index below the log's size
  | 'leaf_hash' // stored leaf_hash ≠ hashLeaf(entry)
  | 'missing_node' // a completed subtree has no row in log_nodes
  | 'node_hash' // stored node ≠ recomputed node
  | 'extra_node' // a node stored for a subtree that is not complete
  | 'head_size' // the latest signed head is past the log's leaves
  | 'head_root' // the latest signed head's root ≠ recomputed root at its size
  | 'head_signature'; // the latest signed head does not verify (only with a public key)

export interface FsckMismatch { kind: FsckMismatchKind; level: number; index: number; detail: string }

export interface FsckReport {
  ok: boolean;
  /** Leaves found (max index + 1). */
  size: number;
  /** Root recomputed from the stored entries. */
  root: Uint8Array;
  leavesChecked: number;
  nodesChecked: number;
  headSize?: number;
  /** At most `maxMismatches`; `mismatchCount` counts all found. */
  mismatches: FsckMismatch[];
  mismatchCount: number;
}

/** Rows per INSERT, keeping bind parameters under PostgreSQL's limit. */
const ENTRY_CHUNK = Math.floor(store.MAX_PARAMETERS / 5);
const NODE_CHUNK = Math.floor(store.MAX_PARAMETERS / 3);
/** Leaves read per fsck step. */
const FSCK_CHUNK = 10_000;
const TREE_HEAD_PREFIX = 'cordon-tree-head/v1';

/**
 * The bytes a tree head signature covers (UTF-8):
 *   "cordon-tree-head/v1\n" + size (decimal) + "\n" + base64(root) (standard,
 *   padded) + "\n" + timestamp (decimal ms since epoch) + "\n"
 */
export function treeHeadMessage(size: number, root: Uint8Array, timestamp: number): Uint8Array {
  return new TextEncoder().encode(`${TREE_HEAD_PREFIX}\n${size}\n${Buffer.from(root).toString('base64')}\n${timestamp}\n`);
}

/** Throws INVALID_SIGNATURE unless `head` carries a valid signature by `publicKey`. */
export function verifyTreeHead(head: SignedTreeHead, publicKey: KeyObject): void {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new CordonError('INVALID_INPUT', 'tree head: public key is not Ed25519');
  if (!Number.isSafeInteger(head.size) || head.size < 0 || !Number.isSafeInteger(head.timestamp) || !(head.root instanceof Uint8Array) || head.root.length !== 32) {
    throw new CordonError('INVALID_SIGNATURE', 'tree head: malformed size, root or timestamp');
  }
  const sig = Buffer.from(head.signature, 'base64url');
  const ok = sig.length === 64 && edVerify(null, treeHeadMessage(head.size, head.root, head.timestamp), publicKey, sig);
  if (!ok) throw new CordonError('INVALID_SIGNATURE', `tree head of size ${head.size}: signature does not verify (kid ${head.kid})`);
}

export class TransparencyLog {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** Appends entries in order as one transaction; returns their indices (consecutive). */
  async append(entries: readonly LogEntryInput[]): Promise<number[]> {
    for (const [i, e] of entries.entries()) {
      if (typeof e?.kind !== 'string' || e.kind === '' || typeof e.ref !== 'string' || !(e.entry instanceof Uint8Array)) {
        throw new CordonError('INVALID_INPUT', `transparency log append: entry ${i} needs a non-empty kind, a ref and entry bytes`);
      }
    }
    if (entries.length === 0) return [];
    const leafHashes = entries.map((e) => hashLeaf(e.entry));
    return this.#sql.begin(async (tx) => {
      await store.lockSequencer(tx);
      const start = await store.logSize(tx);
      const frontier = await this.#frontier(tx, start);
      const nodes: store.NodeRow[] = [];
      frontier.appendMany(leafHashes, (level, idx, hash) => nodes.push({ level, idx, hash }));
      for (let i = 0; i < entries.length; i += ENTRY_CHUNK) {
        await store.insertEntries(tx, entries.slice(i, i + ENTRY_CHUNK).map((e, j) => ({
          idx: start + i + j, leafHash: leafHashes[i + j]!, kind: e.kind, ref: e.ref, entry: e.entry,
        })));
      }
      for (let i = 0; i < nodes.length; i += NODE_CHUNK) await store.insertNodes(tx, nodes.slice(i, i + NODE_CHUNK));
      return entries.map((_, i) => start + i);
    });
  }

  async size(): Promise<number> {
    return store.logSize(this.#sql);
  }

  /** Root of the first `size` leaves (default: the whole log). */
  async root(size?: number): Promise<Uint8Array> {
    const n = await this.#checkHeld(size);
    const ranges = perfectSubtrees(0, n);
    return rootFromSubtrees(n, await this.#fetchPerfect(this.#sql, ranges));
  }

  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    checkInclusionRequest(index, size);
    await this.#checkHeld(size);
    return inclusionProof(this.#source(size), index, size);
  }

  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    checkConsistencyRequest(size1, size2);
    await this.#checkHeld(size2);
    return consistencyProof(this.#source(size2), size1, size2);
  }

  /** Leaf hash and stored entry at `index`. */
  async entry(index: number): Promise<store.StoredEntry> {
    const [row] = await store.readEntries(this.#sql, index, 1);
    if (!row) throw new CordonError('NOT_FOUND', `transparency log: no entry at index ${index}`);
    return row;
  }

  /**
   * Signs the current size and root with `key` (Ed25519 private) and stores the
   * head. If a head of this size is already stored, that one is returned.
   */
  async signTreeHead(key: KeyObject, kid: string): Promise<SignedTreeHead> {
    if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new CordonError('INVALID_INPUT', 'signTreeHead: key must be an Ed25519 private key');
    const size = await this.size();
    const root = await this.root(size);
    const timestamp = Date.now();
    const signature = edSign(null, treeHeadMessage(size, root, timestamp), key).toString('base64url');
    const row = await store.insertTreeHead(this.#sql, { size, root, kid, signature, signedAt: new Date(timestamp) });
    return rowToHead(row);
  }

  async latestTreeHead(): Promise<SignedTreeHead | undefined> {
    const row = await store.latestTreeHead(this.#sql);
    return row ? rowToHead(row) : undefined;
  }

  /**
   * Recomputes every leaf hash, every completed node and the root from the
   * stored entries and compares them with log_entries, log_nodes and the latest
   * signed head (its signature too when `publicKey` is given). Reports
   * mismatches; throws only on database errors.
   */
  async fsck(opts: { publicKey?: KeyObject; maxMismatches?: number } = {}): Promise<FsckReport> {
    const max = opts.maxMismatches ?? 1000;
    const mismatches: FsckMismatch[] = [];
    let mismatchCount = 0;
    const report = (m: FsckMismatch): void => {
      mismatchCount++;
      if (mismatches.length < max) mismatches.push(m);
    };
    const size = await this.size();
    const head = await store.latestTreeHead(this.#sql);
    const range = CompactRange.empty();
    let headRoot: Uint8Array | undefined = head?.size === 0 ? range.root() : undefined;
    let leavesChecked = 0;
    let nodesChecked = 0;
    for (let from = 0; from < size; from += FSCK_CHUNK) {
      const rows = await store.readEntries(this.#sql, from, Math.min(FSCK_CHUNK, size - from));
      const expected: store.NodeRow[] = [];
      let next = from;
      for (const row of rows) {
        for (; next < row.idx; next++) {
          report({ kind: 'missing_leaf', level: 0, index: next, detail: `no entry at index ${next}` });
        }
        const h = hashLeaf(row.entry);
        if (!hashEquals(h, row.leafHash)) report({ kind: 'leaf_hash', level: 0, index: row.idx, detail: 'stored leaf_hash ≠ hashLeaf(entry)' });
        range.append(h, (level, idx, hash) => expected.push({ level, idx, hash }));
        leavesChecked++;
        next++;
        if (head && range.size === head.size) headRoot = range.root();
      }
      // A missing leaf makes every later recomputed node meaningless; stop there.
      if (next < Math.min(from + FSCK_CHUNK, size)) {
        for (; next < Math.min(from + FSCK_CHUNK, size); next++) report({ kind: 'missing_leaf', level: 0, index: next, detail: `no entry at index ${next}` });
        break;
      }
      const stored = await store.fetchSubtrees(this.#sql, expected.map((n) => ({ level: n.level, idx: n.idx })));
      expected.forEach((n, i) => {
        const s = stored[i];
        nodesChecked++;
        if (!s) report({ kind: 'missing_node', level: n.level, index: n.idx, detail: `no stored node (${n.level}, ${n.idx})` });
        else if (!hashEquals(s, n.hash)) report({ kind: 'node_hash', level: n.level, index: n.idx, detail: `stored node (${n.level}, ${n.idx}) ≠ recomputed` });
      });
    }
    for (const n of await store.nodesBeyond(this.#sql, size, max)) {
      report({ kind: 'extra_node', level: n.level, index: n.idx, detail: `node (${n.level}, ${n.idx}) stored but its subtree is not complete at size ${size}` });
    }
    const root = range.begin === 0 && range.size === size ? range.root() : new Uint8Array(32);
    if (head) {
      if (head.size > size) report({ kind: 'head_size', level: 0, index: head.size, detail: `latest signed head has size ${head.size} > ${size} leaves stored` });
      else if (headRoot && !hashEquals(headRoot, head.root)) report({ kind: 'head_root', level: 0, index: head.size, detail: `latest signed head's root ≠ recomputed root at size ${head.size}` });
      if (opts.publicKey) {
        try {
          verifyTreeHead(rowToHead(head), opts.publicKey);
        } catch {
          report({ kind: 'head_signature', level: 0, index: head.size, detail: `latest signed head (size ${head.size}) signature does not verify` });
        }
      }
    }
    return {
      ok: mismatchCount === 0, size, root, leavesChecked, nodesChecked,
      ...(head ? { headSize: head.size } : {}),
      mismatches, mismatchCount,
    };
  }

  /** Throws SIZE_BEYOND_TREE if `size` is past the log; returns the size to use. */
  async #checkHeld(size: number | undefined): Promise<number> {
    if (size !== undefined) checkSize(size);
    const held = await this.size();
    if (size === undefined) return held;
    if (size > held) throw new MerkleError('SIZE_BEYOND_TREE', `tree size ${size} is past the ${held} leaves in the log`);
    return size;
  }

  async #frontier(tx: Sql | TransactionSql, size: number): Promise<CompactRange> {
    return CompactRange.fromSubtrees(0, size, await this.#fetchPerfect(tx, perfectSubtrees(0, size)));
  }

  /** Hashes of perfect ranges, in one query; SOURCE_ERROR if any is not stored. */
  async #fetchPerfect(tx: Sql | TransactionSql, ranges: readonly SubtreeRange[]): Promise<Uint8Array[]> {
    const keys = ranges.map((r) => {
      const level = bitLength(r.end - r.start) - 1;
      return { level, idx: r.start / 2 ** level };
    });
    const hashes = await store.fetchSubtrees(tx, keys);
    return hashes.map((h, i) => {
      if (!h) throw new MerkleError('SOURCE_ERROR', `transparency log: node (${keys[i]!.level}, ${keys[i]!.idx}) is not stored`);
      return h;
    });
  }

  /** SubtreeHashSource over stored nodes: one query per request, perfect pieces only. */
  #source(size: number): SubtreeHashSource {
    return {
      subtreeHashes: async (ranges) => {
        const pieces: SubtreeRange[] = [];
        const spans = ranges.map((r) => {
          if (r.end > size) throw new MerkleError('SIZE_BEYOND_TREE', `range [${r.start}, ${r.end}) is past tree size ${size}`);
          const ps = isPerfect(r) ? [r] : perfectSubtrees(r.start, r.end);
          const at = pieces.length;
          pieces.push(...ps);
          return { at, n: ps.length };
        });
        const hashes = await this.#fetchPerfect(this.#sql, pieces);
        return ranges.map((r, i) => {
          const { at, n } = spans[i]!;
          const hs = hashes.slice(at, at + n);
          return n === 1 ? hs[0]! : subtreeHashFromPerfect(r, hs);
        });
      },
    };
  }
}

function rowToHead(r: store.TreeHeadRow): SignedTreeHead {
  return { size: r.size, root: Uint8Array.from(r.root), timestamp: r.signedAt.getTime(), kid: r.kid, signature: r.signature };
}
