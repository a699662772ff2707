import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  GetConsistencyProofRequestSchema,
  GetConsistencyProofResponseSchema,
  GetEntriesRequestSchema,
  GetEntriesResponseSchema,
  GetInclusionProofRequestSchema,
  GetInclusionProofResponseSchema,
  GetTreeHeadRequestSchema,
  GetTreeHeadResponseSchema,
  ListObservedTreeHeadsRequestSchema,
  ListObservedTreeHeadsResponseSchema,
  TransparencyLogService,
} from '../../gen/cordon/v1/log_pb.js';
import { CordonError } from '../../errors.js';
import { MerkleError, checkConsistencyRequest, checkInclusionRequest } from '../../crypto/merkle/index.js';
import { serverStream, unary, type PipelineDeps } from '../../federation/grpc/handlers.js';
import { grpcPath } from '../../federation/grpc/service-definition.js';
import { listObservedHeads } from '../gossip/observed-heads-store.js';
import type { TransparencyLog } from '../transparency-log.js';
import { headToWire, requestNumber } from './wire.js';

/** Leaves one GetEntries call serves at most; the caller continues from where it stopped. */
export const MAX_ENTRIES_PER_CALL = 100_000;
/** Leaves per streamed message (~250 KB of batch leaves). */
export const ENTRIES_PER_MESSAGE = 1_024;

const rpc = (name: string) => grpcPath(TransparencyLogService, name).slice(1);

export interface LogServiceEnv {
  readonly log: TransparencyLog;
  /** This node's member id: the log id its heads carry. */
  readonly logId: string;
}

/**
 * TransparencyLogService: read-only access to a consortium node's own log.
 * Every request is validated before anything is read; a size, index or range
 * that is negative, zero where a tree is needed, or past the log answers
 * INVALID_ARGUMENT naming the value.
 */
export function logService(deps: PipelineDeps, env: LogServiceEnv): UntypedServiceImplementation {
  const { log, logId } = env;
  return {
    GetTreeHead: unary(deps, rpc('GetTreeHead'), GetTreeHeadRequestSchema, async () => {
      const head = await log.latestTreeHead();
      if (!head) throw new CordonError('UNAVAILABLE', `GetTreeHead: ${logId} has not signed a tree head yet`);
      return create(GetTreeHeadResponseSchema, { head: headToWire(logId, head) });
    }),

    GetInclusionProof: unary(deps, rpc('GetInclusionProof'), GetInclusionProofRequestSchema, async (req) => {
      const index = requestNumber(req.leafIndex, 'leaf_index');
      const size = requestNumber(req.treeSize, 'tree_size');
      checkInclusionRequest(index, size);
      return create(GetInclusionProofResponseSchema, { leafIndex: req.leafIndex, treeSize: req.treeSize, proof: await log.inclusionProof(index, size) });
    }),

    GetConsistencyProof: unary(deps, rpc('GetConsistencyProof'), GetConsistencyProofRequestSchema, async (req) => {
      const first = requestNumber(req.firstSize, 'first_size');
      const second = requestNumber(req.secondSize, 'second_size');
      checkConsistencyRequest(first, second);
      return create(GetConsistencyProofResponseSchema, { firstSize: req.firstSize, secondSize: req.secondSize, proof: await log.consistencyProof(first, second) });
    }),

    GetEntries: serverStream(deps, rpc('GetEntries'), GetEntriesRequestSchema, async (req, ctx, send) => {
      const start = requestNumber(req.start, 'start');
      const end = requestNumber(req.end, 'end');
      if (start >= end) throw new MerkleError('BAD_RANGE', `GetEntries: start ${start} must be below end ${end}`);
      const size = await log.size();
      if (end > size) throw new MerkleError('SIZE_BEYOND_TREE', `GetEntries: end ${end} is past the ${size} leaves in the log`);
      const stop = Math.min(end, start + MAX_ENTRIES_PER_CALL);
      for (let from = start; from < stop && !ctx.signal.aborted; from += ENTRIES_PER_MESSAGE) {
        const leaves = await log.merkle.leaves(from, Math.min(stop, from + ENTRIES_PER_MESSAGE));
        await send(create(GetEntriesResponseSchema, { start: BigInt(from), leaves }));
      }
    }),

    ListObservedTreeHeads: unary(deps, rpc('ListObservedTreeHeads'), ListObservedTreeHeadsRequestSchema, async () => {
      const heads = await listObservedHeads(log.sql);
      return create(ListObservedTreeHeadsResponseSchema, { heads: heads.map((h) => headToWire(h.logId, h.head)) });
    }),
  };
}
