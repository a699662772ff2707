import type { CordonError } from '../../errors.js';
import { readmit } from '../auth/readmit.js';
import type { Membership } from '../membership/membership.js';
import type { Member, Role } from '../membership/schema.js';
import { STREAM_LIFETIME_MS } from './options.js';

/**
 * Why the node ended a stream before its handler did: its caller is no
 * longer admitted (the error it is answered with), or the stream reached its
 * lifetime.
 */
export type StreamEnd =
  | { readonly kind: 'refused'; readonly error: CordonError }
  | { readonly kind: 'lifetime'; readonly lifetimeMs: number };

export interface OpenStream {
  readonly rpc: string;
  readonly callerId: string;
  /** Milliseconds since the epoch when the stream was admitted. */
  readonly openedAt: number;
}

interface Entry extends OpenStream {
  readonly caller: Member;
  readonly end: (why: StreamEnd) => void;
  timer?: NodeJS.Timeout;
}

/**
 * The streams a node is serving, by caller. A call token is checked once,
 * when a call starts (auth/call-token.ts), and a stream may stay open for
 * hours; this is where the node asks again. Two rules end a stream early,
 * through the `end` the RPC pipeline (handlers.ts) registered with it:
 *
 * - Membership: on every manifest the node adopts, each open stream's caller
 *   is re-admitted (auth/readmit.ts); a caller that no longer would be has
 *   all its streams ended at once with that refusal, before the update
 *   returns, so nothing the node learns afterwards reaches it.
 * - Lifetime: every stream ends after its lifetime (STREAM_LIFETIME_MS unless
 *   configured, or the RPC's own), so its caller comes back with a fresh call
 *   token even if no event reports a change in its standing.
 */
export class OpenStreams {
  readonly #byCaller = new Map<string, Set<Entry>>();
  readonly #listeners = new Set<(stream: OpenStream, why: StreamEnd) => void>();
  readonly #unsubscribe: () => void;
  readonly lifetimeMs: number;

  constructor(private readonly opts: { membership: Membership; nodeRole: Role; lifetimeMs?: number; onError?: (err: unknown) => void }) {
    this.lifetimeMs = opts.lifetimeMs ?? STREAM_LIFETIME_MS;
    this.#unsubscribe = opts.membership.onChange(() => this.recheck());
  }

  /**
   * Tracks a stream just admitted for `caller`; `end` is called at most once,
   * possibly before this returns (the manifest changed while the call was
   * being admitted). Returns the release the pipeline calls when the stream
   * is over, however it ended.
   */
  add(rpc: string, caller: Member, end: (why: StreamEnd) => void, lifetimeMs = this.lifetimeMs): () => void {
    const entry: Entry = { rpc, callerId: caller.id, openedAt: Date.now(), caller, end };
    let streams = this.#byCaller.get(caller.id);
    if (!streams) this.#byCaller.set(caller.id, (streams = new Set()));
    streams.add(entry);
    entry.timer = setTimeout(() => this.#end(entry, { kind: 'lifetime', lifetimeMs }), lifetimeMs);
    entry.timer.unref();
    // The token was checked against the manifest of a moment ago: ask once more now that the stream is tracked.
    const refused = readmit(this.opts.membership, caller, rpc, this.opts.nodeRole);
    if (refused) this.#end(entry, { kind: 'refused', error: refused });
    return () => void this.#remove(entry);
  }

  /** Re-admits every open stream's caller against the current manifest; ends the streams of those refused. */
  recheck(): void {
    for (const streams of [...this.#byCaller.values()]) {
      for (const entry of [...streams]) {
        const refused = readmit(this.opts.membership, entry.caller, entry.rpc, this.opts.nodeRole);
        if (refused) this.#end(entry, { kind: 'refused', error: refused });
      }
    }
  }

  /** The open streams, of one caller or of all. */
  open(callerId?: string): OpenStream[] {
    const sets = callerId === undefined ? [...this.#byCaller.values()] : [this.#byCaller.get(callerId) ?? new Set<Entry>()];
    return sets.flatMap((s) => [...s].map(({ rpc, callerId: id, openedAt }) => ({ rpc, callerId: id, openedAt })));
  }

  /** Observers (logs, metrics, tests) of every stream the node ended early; returns an unsubscribe. */
  onEnded(listener: (stream: OpenStream, why: StreamEnd) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops listening for manifest changes and forgets every stream (the node is stopping). */
  close(): void {
    this.#unsubscribe();
    for (const streams of this.#byCaller.values()) for (const entry of streams) clearTimeout(entry.timer);
    this.#byCaller.clear();
  }

  #end(entry: Entry, why: StreamEnd): void {
    if (!this.#remove(entry)) return;
    // Runs inside Membership.update: a failure here must not fail the update, nor spare the other streams.
    try {
      entry.end(why);
      for (const listener of this.#listeners) listener({ rpc: entry.rpc, callerId: entry.callerId, openedAt: entry.openedAt }, why);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  #remove(entry: Entry): boolean {
    const streams = this.#byCaller.get(entry.callerId);
    if (!streams?.delete(entry)) return false;
    clearTimeout(entry.timer);
    if (streams.size === 0) this.#byCaller.delete(entry.callerId);
    return true;
  }
}
