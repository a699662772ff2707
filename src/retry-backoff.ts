/**
 * The one back-off every retry loop uses (delivery, replication, the witness,
 * log gossip, the alert watcher): after consecutive failures the wait before
 * the next attempt doubles from the policy's minimum up to its cap, with
 * "equal jitter" (a uniform draw from the upper half of the step), so nodes
 * that fail together (a peer went down, a manifest change refused several
 * providers) do not retry in step, and no wait is shorter than half its step.
 * A success resets the schedule to the minimum.
 */
export interface BackoffPolicy {
  /** The step of the first retry after a failure, in ms. */
  readonly minMs: number;
  /** The largest step, in ms: a failing peer is still tried at least this often (jitter only shortens it). */
  readonly maxMs: number;
}

/** The wait before the `attempt`-th retry after consecutive failures (1 for the first). */
export function backoffMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  // min(…, 2 ** n) is computed in floating point: huge attempt counts give Infinity, which the cap absorbs.
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** Math.max(0, attempt - 1));
  return step / 2 + random() * (step / 2);
}

/**
 * A policy for loops that run every `intervalMs` (the replication interval):
 * the first retry comes after one round, and a failing peer is tried at least
 * every `maxRounds` rounds, so the cap follows the cadence the operator chose.
 */
export function roundsPolicy(intervalMs: number, maxRounds: number): BackoffPolicy {
  return { minMs: intervalMs, maxMs: intervalMs * maxRounds };
}

/**
 * The cap, in rounds, of loops that retry a peer every replication interval
 * (delivery, replication, the witness, log gossip): a node back up is reached
 * within 20 rounds (10 s at the default 500 ms interval), soon enough that an
 * operator restarting it sees it catch up, while a node that stays down costs
 * each peer one connection attempt per 20 rounds instead of one per round.
 */
export const PEER_RETRY_MAX_ROUNDS = 20;

export interface PeerBackoffOptions {
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * The retry schedule of each peer (or any key) a loop talks to: `due` says
 * whether to try the peer this round, `failed` records a consecutive failure
 * and returns the wait it starts, `succeeded` resets the peer. One peer's
 * failures never delay another.
 */
export class PeerBackoff {
  readonly #peers = new Map<string, { failures: number; retryAt: number }>();

  constructor(private readonly policy: BackoffPolicy, private readonly opts: PeerBackoffOptions = {}) {}

  /** Whether `peer` may be tried now (false while the wait after its last failure runs). */
  due(peer: string): boolean {
    return (this.#peers.get(peer)?.retryAt ?? 0) <= this.#now();
  }

  /** Consecutive failures of `peer` so far (0 after a success). */
  failures(peer: string): number {
    return this.#peers.get(peer)?.failures ?? 0;
  }

  /** Records a failure; returns the attempt number (1 for the first) and the wait before the next try. */
  failed(peer: string, policy: BackoffPolicy = this.policy): { attempt: number; waitMs: number } {
    const attempt = this.failures(peer) + 1;
    const waitMs = Math.round(backoffMs(policy, attempt, this.opts.random));
    this.#peers.set(peer, { failures: attempt, retryAt: this.#now() + waitMs });
    return { attempt, waitMs };
  }

  /** Resets `peer`'s schedule; returns whether it was failing. */
  succeeded(peer: string): boolean {
    return this.#peers.delete(peer);
  }

  /** Starts `peer`'s schedule again from the minimum without counting a success (its failure changed kind). */
  reset(peer: string): void {
    this.#peers.delete(peer);
  }

  #now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (a stopping loop does not wait out its back-off). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
