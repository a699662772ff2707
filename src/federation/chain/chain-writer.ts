import type { Sql } from 'postgres';
import { listHeads } from '../../store/chain-store.js';
import type { Membership } from '../membership/membership.js';
import { commitBatch, verifySignedBatch, type AcceptOptions, type AcceptResult, type SignedBatchBytes, type VerifiedBatch } from './accept-batch.js';

/**
 * How long a batch that arrived ahead of its predecessor waits for it. A
 * provider pipelines several publications on one connection; the server
 * authenticates them concurrently, so n+1 can overtake n by a few
 * milliseconds. Past this wait the batch goes to commit and, if n never
 * came, is answered with a gap.
 */
export const REORDER_WAIT_MS = 2_000;

/**
 * Commits of one provider's chain in flight at once. Their heavy writes
 * overlap; the head lock orders them (accept-batch.ts, CommitOrder). Two
 * keep both of PostgreSQL's cores on a small machine busy.
 */
export const PARALLEL_COMMITS = 2;

interface ProviderLane {
  /** Highest seq handed to the commit queue (undefined: read the head from the database). */
  queued?: bigint;
  /** Resolves when the latest queued commit has taken the head lock. */
  lockTail: Promise<void>;
  /** Settles when every queued commit has finished. */
  tail: Promise<void>;
  inFlight: number;
  /** Commits waiting for a free slot, in arrival order. */
  slots: (() => void)[];
  /** Batches waiting for a predecessor, woken whenever `queued` moves. */
  waiters: Set<() => void>;
}

/**
 * The single way batches enter a node's store, from direct publication and
 * from replication alike. Verification (CPU) runs as soon as a batch arrives;
 * commits run one at a time per provider, in sequence order, so a provider may
 * pipeline batch n+1 while n is still committing.
 */
export class ChainWriter {
  private readonly lanes = new Map<string, ProviderLane>();
  private readonly listeners = new Set<(result: AcceptResult) => void>();
  private readonly rejectedListeners = new Set<(err: unknown) => void>();

  constructor(
    private readonly sql: Sql,
    private readonly membership: Membership,
  ) {}

  /** `admit` may refuse a verified batch (by throwing) before anything is stored. */
  async accept(signed: SignedBatchBytes, opts: AcceptOptions, admit?: (v: VerifiedBatch) => void): Promise<AcceptResult> {
    let verified: VerifiedBatch;
    try {
      verified = verifySignedBatch(signed, this.membership, opts);
    } catch (err) {
      for (const listener of this.rejectedListeners) listener(err);
      throw err;
    }
    admit?.(verified);
    const lane = await this.lane(verified.batch.providerId);
    await this.waitForTurn(lane, verified.batch.seq);
    if (lane.queued === undefined || verified.batch.seq > lane.queued) lane.queued = verified.batch.seq;
    for (const wake of lane.waiters) wake();
    const turn = lane.lockTail;
    let locked!: () => void;
    lane.lockTail = new Promise<void>((resolve) => (locked = resolve));
    const commit = this.slot(lane).then(() => commitBatch(this.sql, verified, opts, { turn, locked }));
    // Settles to nothing: a tail that kept allSettled's array would hold every result (and its
    // batch bytes) ever committed on this lane, each array holding the one before it.
    lane.tail = Promise.allSettled([lane.tail, commit]).then(() => undefined);
    let result: AcceptResult;
    try {
      result = await commit;
    } catch (err) {
      // What we queued may not have been committed: re-read the head next time.
      delete lane.queued;
      throw err;
    } finally {
      locked();
      lane.inFlight--;
      lane.slots.shift()?.();
    }
    if (result.outcome === 'accepted') {
      // The batch is committed: a failing listener must not turn the acknowledgement into an error.
      for (const listener of this.listeners) {
        try {
          listener(result);
        } catch {
          // Listeners are observers (logs, metrics); their failures are theirs.
        }
      }
    }
    return result;
  }

  private async lane(providerId: string): Promise<ProviderLane> {
    let lane = this.lanes.get(providerId);
    if (!lane) {
      lane = { lockTail: Promise.resolve(), tail: Promise.resolve(), inFlight: 0, slots: [], waiters: new Set() };
      this.lanes.set(providerId, lane);
    }
    if (lane.queued === undefined) {
      const [head] = await listHeads(this.sql, providerId);
      lane.queued ??= head?.seq ?? 0n;
    }
    return lane;
  }

  /** Resolves when the lane has a free commit slot (FIFO). */
  private async slot(lane: ProviderLane): Promise<void> {
    if (lane.inFlight >= PARALLEL_COMMITS) await new Promise<void>((resolve) => lane.slots.push(resolve));
    lane.inFlight++;
  }

  private async waitForTurn(lane: ProviderLane, seq: bigint): Promise<void> {
    if (lane.queued === undefined || seq <= lane.queued + 1n) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        lane.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (lane.queued === undefined || seq <= lane.queued + 1n) done();
      };
      const timer = setTimeout(done, REORDER_WAIT_MS);
      lane.waiters.add(check);
    });
  }

  /** Called after each newly committed batch (not for duplicates). */
  onAccepted(listener: (result: AcceptResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Observers (metrics) of batches refused by verification (signature, signer, content); they must not throw. */
  onRejected(listener: (err: unknown) => void): () => void {
    this.rejectedListeners.add(listener);
    return () => this.rejectedListeners.delete(listener);
  }

  /** Resolves when every commit in flight has settled (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.lanes.values()].map((l) => l.tail));
  }
}
