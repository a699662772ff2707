import type { Sql } from 'postgres';
import { CordonError } from '../../errors.js';
import { batchOfLeaf, decodeLogLeaf } from '../log-leaf.js';
import * as store from '../log-store.js';
import { MerkleLog } from '../merkle-log.js';
import type { SignedTreeHead } from '../tree-head.js';
import { fromRow } from '../transparency-log.js';
import { sameBytes } from '../../federation/chain/digest.js';
import { NODE_ID } from '../../federation/membership/schema.js';
import { copyBatchLeaves, deleteBatchLeavesFrom, rowsAtPositions, type BatchLeafRow } from './copy-store.js';

/** The largest sequence number PostgreSQL's bigint holds. */
const MAX_SEQ = 2n ** 63n - 1n;

/** A batch position two copied logs fill with different batches. */
export interface LeafConflict { providerId: string; seq: bigint; digest: Uint8Array; otherLogId: string; otherDigest: Uint8Array }

/**
 * The witness's own copy of one consortium node's log: the leaves (a
 * MerkleLog under that node's member id), the heads it accepted (tree_heads,
 * same log id) and an index of the batch leaves. Entries may run ahead of the
 * last accepted head while a catch-up is in progress; they count only once a
 * signed head's root is recomputed over them.
 */
export class LogCopy {
  readonly merkle: MerkleLog;

  constructor(readonly sql: Sql, readonly logId: string) {
    this.merkle = new MerkleLog(sql, logId);
  }

  async acceptedHead(): Promise<SignedTreeHead | undefined> {
    const row = await store.latestTreeHead(this.sql, this.logId);
    return row ? fromRow(row) : undefined;
  }

  size(): Promise<number> {
    return this.merkle.size();
  }

  /**
   * Appends leaves that must start at index `start` (the copy's size), and
   * indexes the batch leaves among them, in one transaction. Returns the batch
   * positions another copied log holds with a different batch.
   */
  async appendAt(start: number, leaves: readonly Uint8Array[]): Promise<LeafConflict[]> {
    const batches: BatchLeafRow[] = [];
    leaves.forEach((leaf, i) => {
      const where = `${this.logId} leaf ${start + i}`;
      try {
        const b = batchOfLeaf(decodeLogLeaf(leaf, where), where);
        // Only positions that can be real go to the index (and its COPY): a member id, a seq that fits int8.
        if (b && NODE_ID.test(b.providerId) && b.seq <= MAX_SEQ) batches.push({ providerId: b.providerId, seq: b.seq, digest: b.digest, leafIdx: start + i });
      } catch {
        // A leaf the witness cannot read is still hashed and kept; only the index skips it.
      }
    });
    return this.sql.begin(async (tx) => {
      const size = await this.merkle.lockIn(tx);
      if (size !== start) throw new CordonError('INTERNAL', `copy of ${this.logId}: leaves fetched from ${start} but the copy holds ${size}`);
      await this.merkle.appendIn(tx, leaves);
      // What the copied logs already hold at these positions: conflicts with other logs, and
      // positions this log recorded before (a log may record one twice; its first stays).
      const held = await rowsAtPositions(tx, batches);
      const key = (b: { providerId: string; seq: bigint }) => `${b.providerId}#${b.seq}`;
      const taken = new Set(held.filter((h) => h.logId === this.logId).map(key));
      const fresh: BatchLeafRow[] = [];
      for (const b of batches) {
        if (taken.has(key(b))) continue;
        taken.add(key(b));
        fresh.push(b);
      }
      await copyBatchLeaves(tx, this.logId, fresh);
      const byKey = new Map(batches.map((b) => [key(b), b]));
      return held
        .filter((h) => h.logId !== this.logId && !sameBytes(h.digest, byKey.get(key(h))!.digest))
        .map((h) => ({ providerId: h.providerId, seq: h.seq, digest: byKey.get(key(h))!.digest, otherLogId: h.logId, otherDigest: h.digest }));
    });
  }

  /** Records `head` as accepted (its root was recomputed over the copy). */
  async accept(head: SignedTreeHead): Promise<void> {
    await store.insertTreeHead(this.sql, this.logId, { size: head.size, root: head.root, timestampMs: head.timestamp, kid: head.kid, signature: head.signature });
  }

  /** Drops leaves past `size` (fetched toward a head that did not match them). */
  async truncate(size: number): Promise<void> {
    await this.sql.begin(async (tx) => {
      await this.merkle.truncateIn(tx, size);
      await deleteBatchLeavesFrom(tx, this.logId, size);
    });
  }
}
