import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Sql } from 'postgres';
import { ChainHeadSchema, SignedBatchSchema } from '../../gen/cordon/v1/common_pb.js';
import {
  FederationService,
  FetchBatchesRequestSchema,
  GetHeadsRequestSchema,
  GetHeadsResponseSchema,
  GetManifestRequestSchema,
  GetManifestResponseSchema,
  ListEquivocationsRequestSchema,
  PublishOutcome,
  PublishRequestSchema,
  PublishResponseSchema,
  UpdateManifestRequestSchema,
  UpdateManifestResponseSchema,
  FetchBatchesResponseSchema,
} from '../../gen/cordon/v1/federation_pb.js';
import { CordonError } from '../../errors.js';
import { fetchBatches, listHeads } from '../../store/chain-store.js';
import type { ChainWriter } from '../chain/chain-writer.js';
import { listEvidencePage } from '../chain/evidence-page.js';
import { DEFAULT_FETCH_LIMIT } from '../chain/limits.js';
import { serverStream, unary, type CallContext, type PipelineDeps } from '../grpc/handlers.js';
import { grpcPath } from '../grpc/service-definition.js';
import { parseGeneralJws } from '../membership/manifest-jws.js';
import type { Membership } from '../membership/membership.js';

const rpc = (name: string) => grpcPath(FederationService, name).slice(1);

function requireSelf(ctx: CallContext, providerId: string, what: string): void {
  if (ctx.ownOnly && providerId !== ctx.caller.id) {
    throw new CordonError('PERMISSION_DENIED', `${ctx.caller.id} may ${what} only its own chain, not '${providerId}'`);
  }
}

/** FederationService handlers; the pipeline (handlers.ts) has already authenticated and authorized each call. */
export function federationService(deps: PipelineDeps, env: { sql: Sql; chain: ChainWriter; membership: Membership }): UntypedServiceImplementation {
  const { sql, chain, membership } = env;
  return {
    Publish: unary(deps, rpc('Publish'), PublishRequestSchema, async (req, ctx) => {
      if (!req.batch) throw new CordonError('INVALID_INPUT', 'Publish: batch is missing');
      const result = await chain.accept(req.batch, { receivedFrom: ctx.caller.id, checkSkew: ctx.caller.role === 'provider' }, (v) =>
        requireSelf(ctx, v.batch.providerId, 'publish to'),
      );
      return create(PublishResponseSchema, {
        outcome: result.outcome === 'accepted' ? PublishOutcome.ACCEPTED : PublishOutcome.DUPLICATE,
        head: create(ChainHeadSchema, { providerId: result.verified.batch.providerId, seq: result.seq, digest: result.digest }),
      });
    }),

    GetHeads: unary(deps, rpc('GetHeads'), GetHeadsRequestSchema, async (_req, ctx) => {
      const heads = await listHeads(sql, ctx.ownOnly ? ctx.caller.id : undefined);
      return create(GetHeadsResponseSchema, {
        heads: heads.map((h) => create(ChainHeadSchema, { providerId: h.provider_id, seq: h.seq, digest: h.digest })),
        manifestVersion: BigInt(membership.version),
      });
    }),

    FetchBatches: serverStream(deps, rpc('FetchBatches'), FetchBatchesRequestSchema, async (req, ctx, send) => {
      requireSelf(ctx, req.providerId, 'fetch');
      const limit = req.limit === 0 ? DEFAULT_FETCH_LIMIT : Math.min(req.limit, DEFAULT_FETCH_LIMIT);
      // Page through the chain so one call never holds more than a page in memory.
      let next = req.fromSeq < 1n ? 1n : req.fromSeq;
      let sent = 0;
      while (sent < limit && !ctx.signal.aborted) {
        const page = await fetchBatches(sql, req.providerId, next, Math.min(64, limit - sent));
        if (page.length === 0) break;
        for (const b of page) {
          if (b.seq !== next) return; // a hole cannot happen in a committed chain; stop rather than skip
          await send(create(FetchBatchesResponseSchema, { batch: create(SignedBatchSchema, { batch: b.batch, signature: b.signature }) }));
          next += 1n;
          sent++;
        }
      }
    }),

    GetManifest: unary(deps, rpc('GetManifest'), GetManifestRequestSchema, async () =>
      create(GetManifestResponseSchema, { manifestJws: JSON.stringify(membership.document), version: BigInt(membership.version) }),
    ),

    UpdateManifest: unary(deps, rpc('UpdateManifest'), UpdateManifestRequestSchema, async (req, ctx) => {
      const doc = parseGeneralJws(req.manifestJws, `manifest from ${ctx.caller.id}`);
      await membership.update(doc, `manifest from ${ctx.caller.id}`);
      return create(UpdateManifestResponseSchema, { version: BigInt(membership.version) });
    }),

    ListEquivocations: unary(deps, rpc('ListEquivocations'), ListEquivocationsRequestSchema, (req) => listEvidencePage(sql, req)),
  };
}
