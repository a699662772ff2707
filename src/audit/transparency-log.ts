import type { KeyObject } from 'node:crypto';
import type { Sql } from 'postgres';
import { hashLeaf } from '../crypto/merkle/index.js';
import { fsckLog, type FsckOptions, type FsckReport } from './fsck.js';
import { decodeLogLeaf, encodeLogLeaf, type LogEntryInput } from './log-leaf.js';
import * as store from './log-store.js';
import { MerkleLog } from './merkle-log.js';
import { signTreeHead, type SignedTreeHead } from './tree-head.js';

export type { LogEntryInput } from './log-leaf.js';
export type { FsckMismatch, FsckMismatchKind, FsckReport } from './fsck.js';
export { treeHeadMessage, verifyTreeHead, type SignedTreeHead } from './tree-head.js';

/** The `log_id` of a node's own log (no member id is empty; copies use member ids). */
export const OWN_LOG_ID = '';

/** One stored leaf, decoded. */
export interface StoredEntry { index: number; leaf: Uint8Array; leafHash: Uint8Array; kind: string; ref: string; entry: Uint8Array }

/**
 * A node's own RFC 9162 transparency log (DESIGN.md §7): every leaf a
 * serialized `cordon.v1.LogLeaf` (log-leaf.ts), stored by MerkleLog, with
 * tree heads signed by the node's identity key.
 *
 * Any module may append its own kind of entry (`append`, or `appendIn` inside
 * its own transaction so the entry and its effects commit together); the
 * node's log part signs a head covering it within a second.
 */
export class TransparencyLog {
  readonly merkle: MerkleLog;
  readonly #listeners = new Set<() => void>();

  constructor(readonly sql: Sql) {
    this.merkle = new MerkleLog(sql, OWN_LOG_ID);
  }

  /** Appends entries in order in one transaction; returns their indices (consecutive). */
  async append(entries: readonly LogEntryInput[]): Promise<number[]> {
    const leaves = entries.map((e, i) => encodeLogLeaf(e, `transparency log append: entry ${i}`));
    if (leaves.length === 0) return [];
    const hashes = leaves.map((l) => hashLeaf(l));
    const start = await this.sql.begin((tx) => this.merkle.appendIn(tx, leaves, hashes));
    for (const listener of this.#listeners) listener();
    return leaves.map((_, i) => start + i);
  }

  /**
   * Appends inside the caller's transaction, which holds the log's sequencer
   * until it ends: keep it short. Rolled back with it, leaving no gap.
   */
  async appendIn(tx: store.Tx, entries: readonly LogEntryInput[]): Promise<number[]> {
    const leaves = entries.map((e, i) => encodeLogLeaf(e, `transparency log append: entry ${i}`));
    const start = await this.merkle.appendIn(tx, leaves);
    return leaves.map((_, i) => start + i);
  }

  /** Takes the sequencer inside `tx` (to read state that must not change before an `appendIn`). */
  lockIn(tx: store.Tx): Promise<number> {
    return this.merkle.lockIn(tx);
  }

  /** Called after every `append` through this handle commits. */
  onAppended(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  size(): Promise<number> {
    return this.merkle.size();
  }

  root(size?: number): Promise<Uint8Array> {
    return this.merkle.root(size);
  }

  inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    return this.merkle.inclusionProof(index, size);
  }

  consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    return this.merkle.consistencyProof(size1, size2);
  }

  /** The leaf at `index`, decoded. */
  async entry(index: number): Promise<StoredEntry> {
    const [leaf] = await this.merkle.leaves(index, index + 1);
    const d = decodeLogLeaf(leaf!, `transparency log leaf ${index}`);
    return { index, leaf: leaf!, leafHash: hashLeaf(leaf!), kind: d.kind, ref: d.ref, entry: d.body };
  }

  /**
   * Signs the current size and root with the node's key and stores the head.
   * If a head of this size is already stored, that one is returned: one
   * signed statement per size.
   */
  async signTreeHead(key: KeyObject, kid: string): Promise<SignedTreeHead> {
    const size = await this.size();
    const head = signTreeHead(size, await this.root(size), Date.now(), key, kid);
    const row = await store.insertTreeHead(this.sql, OWN_LOG_ID, { size, root: head.root, timestampMs: head.timestamp, kid, signature: head.signature });
    return fromRow(row);
  }

  async latestTreeHead(): Promise<SignedTreeHead | undefined> {
    const row = await store.latestTreeHead(this.sql, OWN_LOG_ID);
    return row ? fromRow(row) : undefined;
  }

  /** Recomputes the log from its stored leaves and checks every stored hash and signed head (fsck.ts). */
  fsck(opts: FsckOptions = {}): Promise<FsckReport> {
    return fsckLog(this.merkle, opts);
  }
}

export function fromRow(r: store.TreeHeadRow): SignedTreeHead {
  return { size: r.size, root: r.root, timestamp: r.timestampMs, kid: r.kid, signature: r.signature };
}
