import { FederationService } from '../../../gen/cordon/v1/federation_pb.js';
import { ChainWriter } from '../../chain/chain-writer.js';
import { federationService } from '../federation-service.js';
import type { NodePart, NodePartFactory } from '../node-part.js';

export const FEDERATION_PART = 'federation';

/** Consortium and regulator nodes: every provider's chain, served over FederationService. */
export interface FederationPart extends NodePart {
  readonly chain: ChainWriter;
}

export const federationPart: NodePartFactory = (ctx): FederationPart | undefined => {
  if (ctx.config.role === 'provider') return undefined;
  const chain = new ChainWriter(ctx.db.sql, ctx.membership);
  chain.onAccepted((r) => ctx.log.debug('batch accepted', { provider: r.verified.batch.providerId, seq: r.seq, records: r.verified.batch.recordCount }));
  return {
    name: FEDERATION_PART,
    chain,
    services: [{ service: FederationService, implementation: federationService(ctx.pipeline, { sql: ctx.db.sql, chain, membership: ctx.membership }) }],
    // Runs after the gRPC server drained: finish the commits still queued.
    stop: () => chain.drain(),
  };
};
