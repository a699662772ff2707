import type { Sql } from 'postgres';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { hashEquals, verifyConsistency } from '../../crypto/merkle/index.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import type { Membership } from '../../federation/membership/membership.js';
import { PeerBackoff, type BackoffPolicy } from '../../retry-backoff.js';
import { LogClient } from '../service/log-client.js';
import type { LogHead } from '../service/wire.js';
import { verifyTreeHead } from '../tree-head.js';
import { deleteObservedHead, insertObservedHead, latestObservedHead } from './observed-heads-store.js';

/**
 * Gossip for split-view detection. A log that shows one tree to the witness
 * and another to everyone else is caught only if someone else tells the
 * witness what they saw. Consortium nodes are such clients of each other's
 * logs: each fetches its peers' signed heads and keeps the newest one (a head
 * proven consistent with it replaces the one before; anything else — smaller,
 * same size with another root, or failing its consistency proof — is kept
 * beside it as evidence). The witness pulls these (ListObservedTreeHeads)
 * and checks them against its own view; the regulator is never written to.
 */
export interface PeerLogMonitorOptions {
  readonly self: Identity;
  readonly sql: Sql;
  readonly membership: Membership;
  readonly peers: () => Peer[];
  readonly logger: Logger;
  /** Back-off for a peer whose head could not be observed (the part's: roundsPolicy); without it every call tries every peer. */
  readonly retry?: BackoffPolicy;
}

export class PeerLogMonitor {
  readonly #clients = new Map<string, LogClient>();
  readonly #backoff: PeerBackoff | undefined;

  constructor(private readonly opts: PeerLogMonitorOptions) {
    this.#backoff = opts.retry ? new PeerBackoff(opts.retry) : undefined;
  }

  /**
   * Fetches and records each peer's current head; a peer that fails is tried
   * again after its back-off (retry-backoff.ts): `skipBackingOff` (the
   * background loop) leaves it out until then.
   */
  async observe(opts: { skipBackingOff?: boolean } = {}): Promise<void> {
    for (const peer of this.opts.peers()) {
      if (opts.skipBackingOff && !(this.#backoff?.due(peer.id) ?? true)) continue;
      try {
        await this.#observe(peer);
        this.#backoff?.succeeded(peer.id);
      } catch (err) {
        const next = this.#backoff?.failed(peer.id);
        this.opts.logger.debug('peer log head not observed', { peer: peer.id, error: errorMessage(err), ...(next ? { attempt: next.attempt, retry_in_ms: next.waitMs } : {}) });
      }
    }
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }

  async #observe(peer: Peer): Promise<void> {
    const client = this.#client(peer);
    const got = await client.treeHead();
    const key = this.opts.membership.activeKey(peer.id);
    if (!key || got.logId !== peer.id || got.head.kid !== peer.id) throw new Error(`head from ${peer.id} names log '${got.logId}', key '${got.head.kid}'`);
    verifyTreeHead(got.head, key);
    const head: LogHead = { logId: peer.id, head: got.head };
    const last = await latestObservedHead(this.opts.sql, peer.id);
    if (last && last.head.size === head.head.size && hashEquals(last.head.root, head.head.root)) return;
    if (last && head.head.size > last.head.size) {
      const consistent = await this.#extends(client, last, head);
      await this.opts.sql.begin(async (tx) => {
        await insertObservedHead(tx, head);
        if (consistent) await deleteObservedHead(tx, last);
      });
      return;
    }
    if (last && last.head.size > 0) this.opts.logger.warn('peer log head contradicts the one seen before; kept as evidence', { peer: peer.id, size: head.head.size, before: last.head.size });
    await insertObservedHead(this.opts.sql, head);
  }

  /** Whether the peer proves `next` extends `last`; a failure is logged and kept as evidence by the caller. */
  async #extends(client: LogClient, last: LogHead, next: LogHead): Promise<boolean> {
    if (last.head.size === 0) return true; // every tree extends the empty one; there is no proof to ask for
    try {
      verifyConsistency(last.head.size, next.head.size, await client.consistencyProof(last.head.size, next.head.size), last.head.root, next.head.root);
      return true;
    } catch (err) {
      this.opts.logger.warn('peer log head does not extend the one seen before; kept as evidence', { peer: next.logId, from: last.head.size, to: next.head.size, error: errorMessage(err) });
      return false;
    }
  }

  #client(peer: Peer): LogClient {
    const existing = this.#clients.get(peer.id);
    if (existing && existing.peer.address === peer.address) return existing;
    existing?.close();
    const client = new LogClient(this.opts.self, peer);
    this.#clients.set(peer.id, client);
    return client;
  }
}
