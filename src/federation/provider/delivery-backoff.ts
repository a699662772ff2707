import { CordonError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

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

/**
 * Refusals of who we are, not of what we sent or of how the node is doing:
 * retrying the same call cannot succeed until the manifest changes.
 */
const REFUSALS: ReadonlySet<string> = new Set(['PERMISSION_DENIED', 'UNAUTHENTICATED']);

/**
 * The wait before the `attempt`-th retry after consecutive refusals (1 for the
 * first): doubling from REFUSED_BACKOFF_MIN_MS up to REFUSED_BACKOFF_MAX_MS,
 * with "equal jitter" (a uniform draw from the upper half of the step), so the
 * providers a manifest change refuses together do not probe in step, and no
 * wait is shorter than half its step.
 */
export function refusedBackoffMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(REFUSED_BACKOFF_MAX_MS, REFUSED_BACKOFF_MIN_MS * 2 ** Math.max(0, attempt - 1));
  return step / 2 + random() * (step / 2);
}

interface PeerState {
  /** The failure's code; undefined while deliveries succeed. */
  code?: string;
  /** Consecutive refusals (0 unless `code` is a refusal). */
  refusals: number;
  /** No background attempt before this time (ms since the epoch). */
  retryAt: number;
  /** Whether the current failure was logged at warn (failures in the startup quiet are logged at debug first). */
  warned: boolean;
}

/**
 * The delivery loop's memory of each consortium node: whether to try it this
 * round, and what to log. A node that refuses us (PERMISSION_DENIED,
 * UNAUTHENTICATED: revoked, suspended, unknown) is retried after exponentially
 * growing, jittered waits (refusedBackoffMs), not every round; any other
 * failure (a node down, a gap) is retried every round, as the outbox must
 * reach a restarted node promptly. Either way the log says so once per change
 * of state, not once per attempt: a warning when a node starts failing (or
 * fails differently), one info line when it accepts again, and attempts in
 * between only at debug. A success resets everything.
 */
export class DeliveryBackoff {
  readonly #peers = new Map<string, PeerState>();

  constructor(private readonly opts: {
    log: Logger;
    /** Until then, failures other than refusals are expected (peers still starting) and logged at debug. */
    quietUntil?: number;
    now?: () => number;
    random?: () => number;
  }) {}

  /** Whether a background round should try `peer` now (false while a refusal's wait runs). */
  due(peer: string): boolean {
    return (this.#peers.get(peer)?.retryAt ?? 0) <= this.#now();
  }

  succeeded(peer: string): void {
    const state = this.#peers.get(peer);
    if (!state) return;
    this.#peers.delete(peer);
    if (state.warned) this.opts.log.info('delivery resumed', { node: peer, after: state.code });
  }

  failed(peer: string, err: unknown): void {
    const code = err instanceof CordonError ? err.code : 'INTERNAL';
    const now = this.#now();
    const before = this.#peers.get(peer);
    const refused = REFUSALS.has(code);
    const same = before?.code === code;
    const refusals = refused ? (same ? before.refusals : 0) + 1 : 0;
    const waitMs = refused ? Math.round(refusedBackoffMs(refusals, this.opts.random)) : 0;
    const state: PeerState = { code, refusals, retryAt: now + waitMs, warned: same ? before.warned : false };
    this.#peers.set(peer, state);
    const fields = { node: peer, code, error: errorMessage(err), ...(refused ? { attempt: refusals, retry_in_ms: waitMs } : {}) };
    const quiet = !refused && now < (this.opts.quietUntil ?? 0);
    if (state.warned || quiet) {
      // Nothing changed since we said so (or it is too early to tell): only debug.
      this.opts.log.debug(refused ? 'delivery still refused' : 'delivery still failing', fields);
      return;
    }
    state.warned = true;
    this.opts.log.warn(refused ? 'delivery refused; backing off until the node accepts us again' : 'delivery failing; retrying every round', fields);
  }

  #now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
