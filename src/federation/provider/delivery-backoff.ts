import { CordonError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { backoffMs, PeerBackoff, type BackoffPolicy } from '../../retry-backoff.js';

/**
 * First wait after a node refused us. A refusal is lifted only by a manifest
 * update, which people make; probing faster than once a second finds it no
 * sooner in practice.
 */
export const REFUSED_BACKOFF_MIN_MS = 1_000;
/**
 * Longest wait between probes of a node that keeps refusing us: a provider
 * re-admitted by a manifest update resumes delivery within five minutes, and
 * a revoked one costs each node one refused call per five minutes.
 */
export const REFUSED_BACKOFF_MAX_MS = 5 * 60_000;
const REFUSED_POLICY: BackoffPolicy = { minMs: REFUSED_BACKOFF_MIN_MS, maxMs: REFUSED_BACKOFF_MAX_MS };

/**
 * Refusals of who we are, not of what we sent or of how the node is doing:
 * retrying the same call cannot succeed until the manifest changes.
 */
const REFUSALS: ReadonlySet<string> = new Set(['PERMISSION_DENIED', 'UNAUTHENTICATED']);

/** The wait before the `attempt`-th retry after consecutive refusals (1 for the first): retry-backoff.ts with the refusal bounds. */
export function refusedBackoffMs(attempt: number, random: () => number = Math.random): number {
  return backoffMs(REFUSED_POLICY, attempt, random);
}

interface PeerState {
  /** The failure's code. */
  code: string;
  /** Whether this failure was logged at warn (failures in the startup quiet are logged at debug first). */
  warned: boolean;
}

/**
 * The delivery loop's memory of each consortium node: whether to try it this
 * round, and what to log. Every failure backs off (retry-backoff.ts): a node
 * that refuses us (PERMISSION_DENIED, UNAUTHENTICATED: revoked, suspended,
 * unknown) on the refusal bounds above, any other failure (a node down, a
 * gap) on `failingPolicy`, whose cap keeps a restarted node reached promptly.
 * The log says so once per change of state, not once per attempt: a warning
 * when a node starts failing (or fails differently), one info line when it
 * accepts again, and attempts in between only at debug. Lines name the node
 * they concern as `peer` (`node` is the emitting node, from the logger).
 * A success resets everything.
 */
export class DeliveryBackoff {
  readonly #peers = new Map<string, PeerState>();
  readonly #schedule: PeerBackoff;

  constructor(private readonly opts: {
    log: Logger;
    /** Back-off for failures other than refusals (the delivery part's: roundsPolicy; default: the refusal bounds). */
    failingPolicy?: BackoffPolicy;
    /** Until then, failures other than refusals are expected (peers still starting) and logged at debug. */
    quietUntil?: number;
    now?: () => number;
    random?: () => number;
  }) {
    this.#schedule = new PeerBackoff(opts.failingPolicy ?? REFUSED_POLICY, { ...(opts.now ? { now: opts.now } : {}), ...(opts.random ? { random: opts.random } : {}) });
  }

  /** Whether a background round should try `peer` now (false while its back-off runs). */
  due(peer: string): boolean {
    return this.#schedule.due(peer);
  }

  succeeded(peer: string): void {
    const state = this.#peers.get(peer);
    this.#schedule.succeeded(peer);
    if (!state) return;
    this.#peers.delete(peer);
    if (state.warned) this.opts.log.info('delivery resumed', { peer, after: state.code });
  }

  failed(peer: string, err: unknown): void {
    const code = err instanceof CordonError ? err.code : 'INTERNAL';
    const before = this.#peers.get(peer);
    const same = before?.code === code;
    // Another kind of failure starts its own schedule from the beginning.
    if (!same) this.#schedule.reset(peer);
    const refused = REFUSALS.has(code);
    const { attempt, waitMs } = this.#schedule.failed(peer, refused ? REFUSED_POLICY : undefined);
    const state: PeerState = { code, warned: same ? before.warned : false };
    this.#peers.set(peer, state);
    const fields = { peer, code, error: errorMessage(err), attempt, retry_in_ms: waitMs };
    const quiet = !refused && (this.opts.now?.() ?? Date.now()) < (this.opts.quietUntil ?? 0);
    if (state.warned || quiet) {
      // Nothing changed since we said so (or it is too early to tell): only debug.
      this.opts.log.debug(refused ? 'delivery still refused' : 'delivery still failing', fields);
      return;
    }
    state.warned = true;
    this.opts.log.warn(refused ? 'delivery refused; backing off until the node accepts us again'
      : code === 'UNAVAILABLE' ? 'delivery failing: node unreachable; retrying with back-off'
        : 'delivery failing; retrying with back-off', fields);
  }
}
