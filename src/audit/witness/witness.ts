import type { Sql } from 'postgres';
import type { SignedBatch } from '../../gen/cordon/v1/common_pb.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { PeerClient, type Identity, type Peer } from '../../federation/client/peer-client.js';
import { MAX_EVIDENCE_PER_PROVIDER } from '../../federation/chain/limits.js';
import type { Membership } from '../../federation/membership/membership.js';
import { PeerBackoff, type BackoffPolicy } from '../../retry-backoff.js';
import { LogClient } from '../service/log-client.js';
import type { SignedTreeHead } from '../tree-head.js';
import { headDisagreements, knownEquivocation, proveEquivocation, type NodeHeads } from './chain-check.js';
import { heldBatchLeaves } from './copy-store.js';
import { headEvidence, type Finding } from './finding.js';
import { recordFinding } from './findings-store.js';
import { checkGossip } from './gossip-check.js';
import { checkLog } from './log-check.js';
import { Sightings } from './sightings.js';
import type { WitnessEnv } from './witness-env.js';

/**
 * The bound on how long an accepted batch may take to reach a consortium
 * node's log (issue 5: every accepted entry is in a signed head within 10 s).
 */
export const MAX_MERGE_DELAY_MS = 10_000;

export interface WitnessOptions {
  readonly self: Identity;
  readonly sql: Sql;
  readonly membership: Membership;
  readonly logger: Logger;
  /** The consortium nodes to watch, re-read every round (membership may change). */
  readonly peers: () => Peer[];
  /** Overrides MAX_MERGE_DELAY_MS (tests). */
  readonly maxMergeDelayMs?: number;
  /** Back-off for a node whose steps fail (the witness part's: roundsPolicy); without it every round tries every node. */
  readonly retry?: BackoffPolicy;
}

export interface WitnessRound {
  /** Per consortium node: the size of the head the witness holds after the round (absent: unreachable). */
  readonly logs: Record<string, number>;
  /** Findings raised for the first time in this round. */
  readonly newFindings: number;
}

/**
 * The regulator's witness (DESIGN.md §7). Each round, for every consortium
 * node: check its log (log-check.ts) and keep a copy; check what it saw of
 * the other logs (gossip-check.ts); compare providers' chain heads across
 * nodes and the batches each log recorded, proving equivocation from the
 * providers' own signatures (chain-check.ts); and hold each node to the merge
 * delay for the batches it reported. It only reads from the federation.
 */
export class Witness {
  readonly #opts: WitnessOptions;
  readonly #env: WitnessEnv;
  readonly #logClients = new Map<string, LogClient>();
  readonly #peerClients = new Map<string, PeerClient>();
  readonly #sightings = new Sightings();
  /** Batch positions two logs fill differently, not yet proven (a node was unreachable): retried each round. */
  readonly #unproven = new Map<string, { providerId: string; seq: bigint; nodeIds: Set<string> }>();
  /** Last error per node, so a down node is logged once, not every round. */
  readonly #lastError = new Map<string, string>();
  /** Nodes whose steps failed in a round, retried with back-off (retry-backoff.ts) by rounds that skip them. */
  readonly #backoff: PeerBackoff | undefined;
  /** Nodes with a failed step in the round in progress. */
  readonly #failedThisRound = new Set<string>();
  #newFindings = 0;

  constructor(opts: WitnessOptions) {
    this.#opts = opts;
    this.#backoff = opts.retry ? new PeerBackoff(opts.retry) : undefined;
    this.#env = {
      sql: opts.sql, membership: opts.membership, logger: opts.logger,
      report: async (f: Finding) => {
        if (await recordFinding(opts.sql, f)) {
          this.#newFindings++;
          opts.logger.warn('witness finding', { kind: f.kind, subject: f.subject, detail: f.detail });
        }
      },
    };
  }

  /**
   * One round over every consortium node. `skipBackingOff` (the background
   * loop) leaves out the nodes whose back-off after failed steps runs; an
   * explicit round checks every node.
   */
  async round(opts: { skipBackingOff?: boolean } = {}): Promise<WitnessRound> {
    this.#newFindings = 0;
    this.#failedThisRound.clear();
    const peers = this.#opts.peers().filter((p) => !opts.skipBackingOff || (this.#backoff?.due(p.id) ?? true));
    const logs: Record<string, number> = {};
    /** Per node, the head it serves now and (no later than) when the witness fetched it. */
    const current = new Map<string, { head: SignedTreeHead; fetchedAt: number }>();
    for (const peer of peers) {
      await this.#attempt(peer.id, 'log', async () => {
        const fetchedAt = Date.now();
        const check = await checkLog(this.#env, this.#logClient(peer));
        if (check.accepted) logs[peer.id] = check.accepted.size;
        if (check.current && check.accepted) current.set(peer.id, { head: check.accepted, fetchedAt });
        for (const c of check.conflicts) this.#suspect(c, peer.id);
      });
    }
    for (const peer of peers) {
      await this.#attempt(peer.id, 'gossip', () => checkGossip(this.#env, this.#logClient(peer), (id) => {
        const p = peers.find((x) => x.id === id);
        return p ? this.#logClient(p) : undefined;
      }));
    }
    const heads: NodeHeads[] = [];
    for (const peer of peers) {
      await this.#attempt(peer.id, 'heads', async () => {
        const res = await this.#peerClient(peer).getHeads();
        const map = new Map(res.heads.map((h) => [h.providerId, { seq: h.seq, digest: h.digest }]));
        heads.push({ nodeId: peer.id, heads: map });
        this.#sightings.note(peer.id, new Map([...map].map(([p, h]) => [p, h.seq])), Date.now());
      });
    }
    await this.#attempt('*', 'chains', () => this.#compareChains(peers, heads));
    for (const peer of peers) {
      await this.#attempt(peer.id, 'evidence', () => this.#pullEvidence(peer));
      const now = current.get(peer.id);
      if (now) await this.#attempt(peer.id, 'merge delay', () => this.#checkMergeDelay(peer.id, now.head, now.fetchedAt));
    }
    for (const peer of peers) {
      if (this.#failedThisRound.has(peer.id)) this.#backoff?.failed(peer.id);
      else this.#backoff?.succeeded(peer.id);
    }
    return { logs, newFindings: this.#newFindings };
  }

  close(): void {
    for (const c of this.#logClients.values()) c.close();
    for (const c of this.#peerClients.values()) c.close();
    this.#logClients.clear();
    this.#peerClients.clear();
  }

  /** Same-seq head disagreements and leaf conflicts between logs, proven from the providers' signatures. */
  async #compareChains(peers: readonly Peer[], heads: readonly NodeHeads[]): Promise<void> {
    for (const d of headDisagreements(heads)) this.#suspect(d, ...d.nodeIds);
    for (const [key, p] of [...this.#unproven]) {
      if (await knownEquivocation(this.#env, p.providerId, p.seq)) {
        this.#unproven.delete(key);
        continue;
      }
      const batches: { seenAt: string; batch: SignedBatch }[] = [];
      for (const nodeId of p.nodeIds) {
        const peer = peers.find((x) => x.id === nodeId);
        if (!peer) continue;
        await this.#attempt(nodeId, 'fetch evidence', async () => {
          for await (const b of this.#peerClient(peer).fetchBatches(p.providerId, p.seq, 1)) batches.push({ seenAt: nodeId, batch: b });
        });
      }
      // Proven, or every batch fetched and no two differ: either way nothing is left to retry.
      if ((await proveEquivocation(this.#env, p.providerId, p.seq, batches)) || batches.length === p.nodeIds.size) this.#unproven.delete(key);
    }
  }

  /**
   * Equivocation evidence a consortium node kept itself: its conflicting
   * batches (ListEquivocations, a page at a time) each against the batch the
   * node holds at that seq (FetchBatches), checked signature by signature.
   * No more entries are read than a node keeps (MAX_EVIDENCE_PER_PROVIDER for
   * each member the manifest lists): a node cannot keep the witness paging.
   */
  async #pullEvidence(peer: Peer): Promise<void> {
    const client = this.#peerClient(peer);
    const most = this.#opts.membership.manifest.members.length * MAX_EVIDENCE_PER_PROVIDER;
    for await (const e of client.equivocations('', most)) {
      if (!e.conflicting || (await knownEquivocation(this.#env, e.providerId, e.seq))) continue;
      const batches: { seenAt: string; batch: SignedBatch }[] = [];
      for await (const held of client.fetchBatches(e.providerId, e.seq, 1)) batches.push({ seenAt: peer.id, batch: held });
      batches.push({ seenAt: peer.id, batch: e.conflicting });
      await proveEquivocation(this.#env, e.providerId, e.seq, batches);
    }
  }

  /**
   * Every head the node reported more than the merge delay before the witness
   * fetched its log's head must be in that head (heads only grow, so a node
   * that logs in time has it there). Measured from the fetch, not from now: a
   * slow round must not make a punctual node late.
   */
  async #checkMergeDelay(nodeId: string, head: SignedTreeHead, fetchedAt: number): Promise<void> {
    const overdue = this.#sightings.overdue(nodeId, fetchedAt, this.#opts.maxMergeDelayMs ?? MAX_MERGE_DELAY_MS);
    if (overdue.length === 0) return;
    const held = await heldBatchLeaves(this.#opts.sql, nodeId, overdue, head.size);
    for (const o of overdue) {
      if (held.has(`${o.providerId}#${o.seq}`)) {
        this.#sightings.settle(nodeId, o.providerId, o.seq);
        continue;
      }
      await this.#env.report({
        kind: 'unlogged_batch', subject: `${nodeId}:${o.providerId}#${o.seq}`, logId: nodeId, providerId: o.providerId,
        detail: `${nodeId} reported ${o.providerId}#${o.seq} as accepted ${Math.round((fetchedAt - o.since) / 1000)} s before its signed head of size ${head.size} was fetched, and that head does not hold it`,
        evidence: { node: nodeId, provider_id: o.providerId, seq: o.seq.toString(), first_seen_ms: o.since, head_fetched_ms: fetchedAt, head: headEvidence(nodeId, head) },
      });
    }
  }

  /** Notes a batch position the named nodes (or their logs) fill with different batches. */
  #suspect(at: { providerId: string; seq: bigint; otherLogId?: string }, ...nodeIds: string[]): void {
    const key = `${at.providerId}#${at.seq}`;
    const p = this.#unproven.get(key) ?? this.#unproven.set(key, { providerId: at.providerId, seq: at.seq, nodeIds: new Set() }).get(key)!;
    for (const id of [...nodeIds, ...(at.otherLogId ? [at.otherLogId] : [])]) p.nodeIds.add(id);
  }

  /**
   * Runs one step against one node ('*': against all); a failure is logged
   * (once per distinct error) and the round goes on. Lines name the watched
   * node as `peer`: `node` is the witness's own id, from the logger.
   */
  async #attempt(nodeId: string, step: string, run: () => Promise<unknown>): Promise<void> {
    const about = nodeId === '*' ? { step } : { peer: nodeId, step };
    try {
      await run();
      if (this.#lastError.delete(`${nodeId}/${step}`)) this.#opts.logger.info('witness step recovered', about);
    } catch (err) {
      const message = errorMessage(err);
      this.#failedThisRound.add(nodeId);
      if (this.#lastError.get(`${nodeId}/${step}`) !== message) this.#opts.logger.warn('witness step failed', { ...about, error: message });
      else this.#opts.logger.debug('witness step still failing', { ...about, error: message });
      this.#lastError.set(`${nodeId}/${step}`, message);
    }
  }

  #logClient(peer: Peer): LogClient {
    const existing = this.#logClients.get(peer.id);
    if (existing && existing.peer.address === peer.address) return existing;
    existing?.close();
    const client = new LogClient(this.#opts.self, peer);
    this.#logClients.set(peer.id, client);
    return client;
  }

  #peerClient(peer: Peer): PeerClient {
    const existing = this.#peerClients.get(peer.id);
    if (existing && existing.peer.address === peer.address) return existing;
    existing?.close();
    const client = new PeerClient(this.#opts.self, peer);
    this.#peerClients.set(peer.id, client);
    return client;
  }
}
