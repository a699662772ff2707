import type { Sql } from 'postgres';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { listHeads } from '../../store/chain-store.js';
import type { ChainWriter } from '../chain/chain-writer.js';
import { PeerClient, type Identity, type Peer } from '../client/peer-client.js';
import { parseGeneralJws } from '../membership/manifest-jws.js';
import type { Membership } from '../membership/membership.js';
import { PEER_RETRY_MAX_ROUNDS, PeerBackoff, roundsPolicy } from '../../retry-backoff.js';

/**
 * Anti-entropy replication: every interval, ask each peer for its chain
 * heads, and pull (in order, through the same ChainWriter as direct
 * publications, so every provider signature is verified again here) whatever
 * the peer holds beyond our own head. A disconnect just ends the round; the
 * next round resumes from our head. A peer that fails is retried with
 * back-off (retry-backoff.ts), not every round. Peers also spread newer manifests.
 */
export interface AntiEntropyOptions {
  readonly self: Identity;
  readonly sql: Sql;
  readonly membership: Membership;
  readonly chain: ChainWriter;
  readonly intervalMs: number;
  readonly log: Logger;
  /** The peers to pull from, re-read every round (membership may change). */
  readonly peers: () => Peer[];
  /** Called with each peer's heads after a round (the witness uses it). */
  readonly onPeerHeads?: (peer: string, heads: Map<string, bigint>) => void;
}

/** A peer failing for less than this is logged at debug only (peers start and restart in any order). */
const PEER_DOWN_WARNING_MS = 10_000;
/** Batches pulled per FetchBatches call; the next round continues. */
const PULL_PAGE = 256;

export class AntiEntropy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly clients = new Map<string, PeerClient>();
  /** Last error per peer, so a down peer is logged once, not every round. */
  private readonly lastError = new Map<string, string>();
  /** When each failing peer started failing: nodes start in any order, so a peer down for a moment is normal. */
  private readonly failingSince = new Map<string, number>();
  private readonly backoff: PeerBackoff;

  constructor(private readonly opts: AntiEntropyOptions) {
    this.backoff = new PeerBackoff(roundsPolicy(opts.intervalMs, PEER_RETRY_MAX_ROUNDS));
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.round({ skipBackingOff: true }).finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  /**
   * One pass over every peer; resolves to the number of batches accepted.
   * `skipBackingOff` (the background loop) leaves out the peers whose back-off runs.
   */
  async round(opts: { skipBackingOff?: boolean } = {}): Promise<number> {
    let pulled = 0;
    for (const peer of this.opts.peers()) {
      if (this.stopped) break;
      if (opts.skipBackingOff && !this.backoff.due(peer.id)) continue;
      try {
        pulled += await this.syncWith(peer);
        this.backoff.succeeded(peer.id);
        this.failingSince.delete(peer.id);
        if (this.lastError.delete(peer.id)) this.opts.log.info('peer reachable again', { peer: peer.id });
      } catch (err) {
        const message = errorMessage(err);
        const { attempt, waitMs } = this.backoff.failed(peer.id);
        const since = this.failingSince.get(peer.id) ?? Date.now();
        this.failingSince.set(peer.id, since);
        const fields = { peer: peer.id, error: message, attempt, retry_in_ms: waitMs, failing_for_s: Math.round((Date.now() - since) / 1000) };
        if (Date.now() - since >= PEER_DOWN_WARNING_MS && this.lastError.get(peer.id) !== message) {
          this.opts.log.warn('replication from peer failing; retrying with back-off', fields);
          this.lastError.set(peer.id, message);
        } else {
          this.opts.log.debug('replication from peer still failing', fields);
        }
      }
    }
    return pulled;
  }

  private client(peer: Peer): PeerClient {
    const existing = this.clients.get(peer.id);
    if (existing && existing.peer.address === peer.address) return existing;
    existing?.close();
    const client = new PeerClient(this.opts.self, peer);
    this.clients.set(peer.id, client);
    return client;
  }

  private async syncWith(peer: Peer): Promise<number> {
    const client = this.client(peer);
    const remote = await client.getHeads();
    if (remote.manifestVersion > BigInt(this.opts.membership.version)) {
      const { manifestJws } = await client.getManifest();
      if (await this.opts.membership.update(parseGeneralJws(manifestJws, `manifest from ${peer.id}`), `manifest from ${peer.id}`)) {
        this.opts.log.info('adopted newer manifest', { peer: peer.id, version: this.opts.membership.version });
      }
    }
    const local = new Map((await listHeads(this.opts.sql)).map((h) => [h.provider_id, h.seq]));
    this.opts.onPeerHeads?.(peer.id, new Map(remote.heads.map((h) => [h.providerId, h.seq])));
    let pulled = 0;
    for (const head of remote.heads) {
      // Batches of a revoked or unknown provider are refused by the ChainWriter anyway; skip the transfer.
      if (!this.opts.membership.activeMember(head.providerId, 'provider')) continue;
      let mine = local.get(head.providerId) ?? 0n;
      while (mine < head.seq && !this.stopped) {
        let progressed = false;
        for await (const batch of client.fetchBatches(head.providerId, mine + 1n, PULL_PAGE)) {
          const result = await this.opts.chain.accept(batch, { receivedFrom: peer.id, checkSkew: false });
          mine = result.seq;
          progressed = true;
          if (result.outcome === 'accepted') pulled++;
        }
        if (!progressed) break;
      }
    }
    return pulled;
  }
}
