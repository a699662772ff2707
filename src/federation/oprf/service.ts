import { create } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { KeyObject } from 'node:crypto';
import type { Sql } from 'postgres';
import type { TransparencyLog } from '../../audit/transparency-log.js';
import { CordonError } from '../../errors.js';
import type { EncryptionKey } from '../../crypto/encryption-key.js';
import type { Oprf } from '../../crypto/oprf/oprf.js';
import type { EvaluationPool } from '../../crypto/oprf/pool/evaluation-pool.js';
import { MAX_EPOCH } from '../../crypto/prf/token-prf.js';
import {
  DealRequestSchema,
  DealResponseSchema,
  EvaluateRequestSchema,
  EvaluateResponseSchema,
  FinalizeOutcome,
  FinalizeRequestSchema,
  FinalizeResponseSchema,
  GetKeyInfoRequestSchema,
  GetKeyInfoResponseSchema,
  OprfService,
} from '../../gen/cordon/v1/oprf_pb.js';
import { unary, type PipelineDeps } from '../grpc/handlers.js';
import { grpcPath } from '../grpc/service-definition.js';
import type { Membership } from '../membership/membership.js';
import { reserveEvaluations } from './budget/daily-budget.js';
import { deal } from './ceremony/deal.js';
import { finalizeDeals } from './ceremony/finalize.js';
import type { KeyRing } from './key/key-ring.js';
import { MAX_EVALUATE_BATCH } from './limits.js';
import { evaluationEntry, keyEntry } from './log-entries.js';
import { KEY_INFO_TYP, signBytes } from './signed-bytes.js';

const rpc = (name: string) => grpcPath(OprfService, name).slice(1);

export interface OprfServiceEnv {
  readonly sql: Sql;
  readonly membership: Membership;
  readonly self: { readonly id: string; readonly key: KeyObject };
  readonly encKey: EncryptionKey;
  readonly oprf: Oprf;
  /** Where batches are evaluated (worker threads, off the event loop). */
  readonly pool: EvaluationPool;
  readonly keyRing: KeyRing;
  readonly log: TransparencyLog;
  readonly now?: () => Date;
}

function checkEpoch(epoch: number, where: string): number {
  if (epoch < 1 || epoch > MAX_EPOCH) throw new CordonError('INVALID_INPUT', `${where}: epoch must be 1..${MAX_EPOCH}, got ${epoch}`);
  return epoch;
}

/** OprfService handlers at a consortium node; the pipeline (handlers.ts) has authenticated and authorized each call. */
export function oprfService(deps: PipelineDeps, env: OprfServiceEnv): UntypedServiceImplementation {
  const { oprf, keyRing, self } = env;
  const now = env.now ?? (() => new Date());

  return {
    Evaluate: unary(deps, rpc('Evaluate'), EvaluateRequestSchema, async (req, ctx) => {
      const policy = env.membership.manifest.policy;
      if (policy.token_mode !== 'oblivious') {
        throw new CordonError('PERMISSION_DENIED', `Evaluate: this consortium's policy.token_mode is '${policy.token_mode}'; OPRF evaluations are served only in oblivious mode`);
      }
      const epoch = checkEpoch(req.epoch, 'Evaluate');
      const n = req.blindedElements.length;
      if (n === 0 || n > MAX_EVALUATE_BATCH) throw new CordonError('INVALID_INPUT', `Evaluate: needs 1..${MAX_EVALUATE_BATCH} blinded elements, got ${n}`);
      // Every element is checked before anything is counted: a bad batch changes nothing.
      const blinded = req.blindedElements.map((b, i) => oprf.group.element(b, `Evaluate: blinded element ${i}`));
      const held = await keyRing.require(epoch, req.generation);
      const at = now();
      // Spent before evaluating: a failure after this point never lets a retry pass the budget.
      const grant = await reserveEvaluations(env.sql, ctx.caller.id, n, policy.oprf_evaluations_per_day, at);
      const { evaluatedElements, proof } = await env.pool.evaluate(held.share, held.publicShare, blinded);
      // Logged before it is answered: no evaluation leaves the node unrecorded.
      await env.log.append([evaluationEntry({ node: self.id, provider: ctx.caller.id, epoch, generation: held.key.generation, count: n, day: grant.day, usedToday: grant.used, at })]);
      return create(EvaluateResponseSchema, {
        epoch, generation: held.key.generation, shareIndex: held.index, evaluatedElements, proof, remainingToday: BigInt(grant.remaining),
      });
    }),

    GetKeyInfo: unary(deps, rpc('GetKeyInfo'), GetKeyInfoRequestSchema, async (req) => {
      const epoch = checkEpoch(req.epoch, 'GetKeyInfo');
      const held = await keyRing.require(epoch);
      return create(GetKeyInfoResponseSchema, { keyInfo: held.key.bytes, signature: signBytes(held.key.bytes, self.key, self.id, KEY_INFO_TYP) });
    }),

    Deal: unary(deps, rpc('Deal'), DealRequestSchema, async (req) => {
      const epoch = checkEpoch(req.epoch, 'Deal');
      const signed = await deal({ group: oprf.group, membership: env.membership, self, held: await keyRing.refresh(epoch) }, req);
      return create(DealResponseSchema, { deal: signed });
    }),

    Finalize: unary(deps, rpc('Finalize'), FinalizeRequestSchema, async (req) => {
      const result = await finalizeDeals(
        { group: oprf.group, membership: env.membership, selfId: self.id, encKey: env.encKey, heldShare: (epoch) => keyRing.refresh(checkEpoch(epoch, 'Finalize')) },
        req.deals,
      );
      if (result.outcome === 'holder' && !result.alreadyHeld) await keyRing.keep(result.key, result.share);
      if (result.outcome === 'retired') await keyRing.retire(result.key.epoch, result.key.generation);
      if (result.outcome === 'retired' || !result.alreadyHeld) await env.log.append([keyEntry(self.id, result.key, result.outcome, now())]);
      return create(FinalizeResponseSchema, {
        outcome: result.outcome === 'holder' ? FinalizeOutcome.HOLDER : FinalizeOutcome.RETIRED,
        keyInfo: result.key.bytes,
        signature: signBytes(result.key.bytes, self.key, self.id, KEY_INFO_TYP),
      });
    }),
  };
}
