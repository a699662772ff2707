import { AntiEntropy } from '../../replication/anti-entropy.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';
import { FEDERATION_PART, type FederationPart } from './federation.js';

/** Consortium and regulator nodes pull what their consortium peers hold (anti-entropy). */
export const replicationPart: NodePartFactory = (ctx): NodePart | undefined => {
  const federation = ctx.part<FederationPart>(FEDERATION_PART);
  if (!federation) return undefined;
  const replication = new AntiEntropy({
    self: ctx.self, sql: ctx.db.sql, membership: ctx.membership, chain: federation.chain, log: ctx.log,
    intervalMs: ctx.config.replication_interval_ms,
    peers: () => consortiumPeers(ctx.membership, ctx.config.id),
  });
  return { name: 'replication', start: () => replication.start(), stop: () => replication.stop() };
};
