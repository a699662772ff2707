import type { Sql } from 'postgres';
import type { Alert } from '../../gen/cordon/v1/alerts_pb.js';
import { errorMessage } from '../../errors.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import type { Logger } from '../../log.js';
import { AlertClient } from '../client/alert-client.js';
import { cursorOf, storeReceived } from './inbox-store.js';

/** Reconnect back-off bounds: quick after a blip, gentle on a node that is down. */
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5_000;
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
        this.opts.log.warn('alert backlog unavailable', { node: peer.id, error: errorMessage(err) });
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

  async #follow(peer: Peer): Promise<void> {
    let delay = RECONNECT_MIN_MS;
    while (!this.#abort.signal.aborted) {
      const client = new AlertClient(this.opts.self, peer);
      try {
        await this.#consume(peer, client, false);
        delay = RECONNECT_MIN_MS;
      } catch (err) {
        this.opts.log.debug('alert stream interrupted; resuming from cursor', { node: peer.id, error: errorMessage(err) });
      } finally {
        client.close();
      }
      if (this.#abort.signal.aborted) break;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(RECONNECT_MAX_MS, delay * 2);
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
