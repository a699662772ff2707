import { create } from '@bufbuild/protobuf';
import {
  DealRequestSchema,
  EvaluateRequestSchema,
  FinalizeRequestSchema,
  GetKeyInfoRequestSchema,
  OprfService,
  type DealResponse,
  type EvaluateResponse,
  type FinalizeResponse,
  type GetKeyInfoResponse,
  type SignedOprfDeal,
} from '../../../gen/cordon/v1/oprf_pb.js';
import { PeerClient, type Identity, type Peer } from '../../client/peer-client.js';
import type { DealTarget } from '../ceremony/deal.js';
import { CEREMONY_DEADLINE_MS, EVALUATE_DEADLINE_MS, KEY_INFO_DEADLINE_MS } from '../limits.js';


/**
 * A typed OprfService client for one consortium node: every call carries a
 * fresh call token for that node and a deadline; errors come back as
 * CordonErrors naming the node.
 */
export class OprfClient {
  readonly #peer: PeerClient;

  constructor(self: Identity, readonly peer: Peer) {
    this.#peer = new PeerClient(self, peer);
  }

  /**
   * Evaluations and key infos fail fast when a node is down (the caller asks
   * another holder); ceremony calls wait for the node until their deadline
   * (`waitForReady`), so a node that is just starting does not fail a ceremony.
   */
  private unary<O>(method: keyof typeof OprfService.method, request: unknown, deadlineMs: number, waitForReady = false): Promise<O> {
    return this.#peer.call(OprfService.method[method] as never, request as never, { deadlineMs, waitForReady }) as Promise<O>;
  }

  evaluate(epoch: number, generation: number, blindedElements: readonly Uint8Array[]): Promise<EvaluateResponse> {
    return this.unary('evaluate', create(EvaluateRequestSchema, { epoch, generation, blindedElements: [...blindedElements] }), EVALUATE_DEADLINE_MS);
  }

  getKeyInfo(epoch: number): Promise<GetKeyInfoResponse> {
    return this.unary('getKeyInfo', create(GetKeyInfoRequestSchema, { epoch }), KEY_INFO_DEADLINE_MS);
  }

  deal(target: DealTarget): Promise<DealResponse> {
    return this.unary('deal', create(DealRequestSchema, { ...target, holders: [...target.holders] }), CEREMONY_DEADLINE_MS, true);
  }

  finalize(deals: readonly SignedOprfDeal[]): Promise<FinalizeResponse> {
    return this.unary('finalize', create(FinalizeRequestSchema, { deals: [...deals] }), CEREMONY_DEADLINE_MS, true);
  }

  close(): void {
    this.#peer.close();
  }
}
