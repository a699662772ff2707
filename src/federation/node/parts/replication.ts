import { AntiEntropy } from '../../replication/anti-entropy.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';
import { FEDERATION_PART, type FederationPart } from './federation.js';

export const REPLICATION_PART = 'replication';

/** Each peer's chain heads as seen in a replication round (before pulling from it). */
export type PeerHeadsListener = (peer: string, heads: ReadonlyMap<string, bigint>) => void;

export interface ReplicationPart extends NodePart {
  /** Observers (metrics: replication lag) of every peer's heads; returns an unsubscribe. */
  onPeerHeads(listener: PeerHeadsListener): () => void;
}

/** Consortium and regulator nodes pull what their consortium peers hold (anti-entropy). */
export const replicationPart: NodePartFactory = (ctx): ReplicationPart | undefined => {
  const federation = ctx.part<FederationPart>(FEDERATION_PART);
  if (!federation) return undefined;
  const listeners = new Set<PeerHeadsListener>();
  const replication = new AntiEntropy({
    self: ctx.self, sql: ctx.db.sql, membership: ctx.membership, chain: federation.chain, log: ctx.log,
    intervalMs: ctx.config.replication_interval_ms,
    peers: () => consortiumPeers(ctx.membership, ctx.config.id),
    onPeerHeads: (peer, heads) => {
      for (const l of listeners) l(peer, heads);
    },
  });
  return {
    name: REPLICATION_PART,
    onPeerHeads: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: () => replication.start(),
    stop: () => replication.stop(),
  };
};
