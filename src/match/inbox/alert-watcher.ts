import type { Sql } from 'postgres';
import type { Alert } from '../../gen/cordon/v1/alerts_pb.js';
import { errorMessage } from '../../errors.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import type { Logger } from '../../log.js';
import { PeerBackoff, sleep, type BackoffPolicy } from '../../retry-backoff.js';
import { AlertClient } from '../client/alert-client.js';
import { cursorOf, storeReceived } from './inbox-store.js';

/**
 * Reconnect back-off bounds (retry-backoff.ts): quick after a blip, gentle on
 * a node that is down; capped at 5 s because alerts are what a provider acts
 * on, and a node back up should stream them again within seconds.
 */
const RECONNECT: BackoffPolicy = { minMs: 200, maxMs: 5_000 };
/** Alerts written per inbox transaction at most. */
const STORE_CHUNK = 500;

/**
 * A provider's alert intake: one stream per consortium node, each resumed
 * from the cursor stored with the alerts it delivered, so a restart or a
 * dropped connection neither loses nor repeats an alert. Alerts are
 * deduplicated across nodes by their deterministic id; listeners hear each
 * alert once, when it is first stored.
 */
export class AlertWatcher {
  readonly #abort = new AbortController();
  readonly #running: Promise<void>[] = [];
  readonly #listeners = new Set<(alerts: readonly Alert[], from: string) => void>();
  readonly #backoff = new PeerBackoff(RECONNECT);

  constructor(private readonly opts: { sql: Sql; self: Identity; peers: () => Peer[]; log: Logger }) {}

  onAlerts(listener: (alerts: readonly Alert[], from: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    for (const peer of this.opts.peers()) this.#running.push(this.#follow(peer));
  }

  /** Fetches every node's backlog once (no following) and stores it; returns the new alerts. */
  async catchUp(): Promise<Alert[]> {
    const fresh: Alert[] = [];
    await Promise.all(this.opts.peers().map(async (peer) => {
      const client = new AlertClient(this.opts.self, peer);
      try {
        fresh.push(...(await this.#consume(peer, client, true)));
      } catch (err) {
        this.opts.log.warn('alert backlog unavailable', { peer: peer.id, error: errorMessage(err) });
      } finally {
        client.close();
      }
    }));
    return fresh;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#running);
  }

  /**
   * Follows one node's stream for as long as the watcher runs. A stream the
   * node ends (its lifetime) is resumed after the minimum wait; consecutive
   * failures back off up to the cap, and a success (the stream ends cleanly or
   * delivers an alert) resets that. The
   * log says when a node's stream starts failing and when it is back, not
   * every attempt.
   */
  async #follow(peer: Peer): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const client = new AlertClient(this.opts.self, peer);
      let waitMs = RECONNECT.minMs;
      try {
        await this.#consume(peer, client, false);
        if (this.#backoff.succeeded(peer.id)) this.opts.log.info('alert stream resumed', { peer: peer.id });
      } catch (err) {
        if (signal.aborted) break;
        const next = this.#backoff.failed(peer.id);
        waitMs = next.waitMs;
        const fields = { peer: peer.id, error: errorMessage(err), attempt: next.attempt, retry_in_ms: next.waitMs };
        // The first failure is often a blip (a node restarting): only a second one in a row is worth a warning.
        if (next.attempt === 2) this.opts.log.warn('alert stream failing; resuming from cursor with back-off', fields);
        else this.opts.log.debug('alert stream interrupted; resuming from cursor', fields);
      } finally {
        client.close();
      }
      await sleep(waitMs, signal);
    }
  }

  /** Reads one stream to its end, storing alerts in chunks as they arrive. */
  async #consume(peer: Peer, client: AlertClient, backlogOnly: boolean): Promise<Alert[]> {
    const fresh: Alert[] = [];
    let pending: Alert[] = [];
    let flushing = Promise.resolve();
    const flush = () => {
      const chunk = pending;
      pending = [];
      flushing = flushing.then(async () => {
        const stored = await storeReceived(this.opts.sql, peer.id, chunk);
        fresh.push(...stored);
        if (stored.length > 0) for (const l of this.#listeners) l(stored, peer.id);
      });
      return flushing;
    };
    const cursor = await cursorOf(this.opts.sql, peer.id);
    let scheduled = false;
    for await (const alert of client.watch(cursor, { backlogOnly, signal: this.#abort.signal })) {
      // An alert delivered is a success: a later interruption starts the back-off from the minimum.
      if (pending.length === 0 && this.#backoff.succeeded(peer.id)) this.opts.log.info('alert stream resumed', { peer: peer.id });
      pending.push(alert);
      if (pending.length >= STORE_CHUNK) await flush();
      else if (!scheduled) {
        // Store what arrived in this turn together, as soon as the stream pauses.
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          if (pending.length > 0) void flush().catch(() => undefined);
        });
      }
    }
    if (pending.length > 0) await flush();
    await flushing;
    return fresh;
  }
}
