import { create } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
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
import { mintCallToken } from '../../auth/call-token.js';
import type { Identity, Peer } from '../../client/peer-client.js';
import { CLIENT_OPTIONS } from '../../grpc/options.js';
import { clientDefinition } from '../../grpc/service-definition.js';
import { fromServiceError } from '../../grpc/status.js';
import type { DealTarget } from '../ceremony/deal.js';
import { CEREMONY_DEADLINE_MS, EVALUATE_DEADLINE_MS, KEY_INFO_DEADLINE_MS } from '../limits.js';

const OprfGrpcClient = makeGenericClientConstructor(clientDefinition(OprfService), 'OprfService');

/**
 * A typed OprfService client for one consortium node: every call carries a
 * fresh call token for that node and a deadline; errors come back as
 * CordonErrors naming the node.
 */
export class OprfClient {
  private readonly client: Client & Record<string, Function>;

  constructor(private readonly self: Identity, readonly peer: Peer) {
    this.client = new OprfGrpcClient(peer.address, credentials.createInsecure(), CLIENT_OPTIONS) as Client & Record<string, Function>;
  }

  /**
   * Evaluations and key infos fail fast when a node is down (the caller asks
   * another holder); ceremony calls wait for the node until their deadline
   * (`waitForReady`), so a node that is just starting does not fail a ceremony.
   */
  private unary<O>(method: string, request: unknown, deadlineMs: number, waitForReady = false): Promise<O> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${mintCallToken(this.self.id, this.self.key, this.peer.id)}`);
    return new Promise<O>((resolve, reject) => {
      this.client[method]!(request, metadata, { deadline: Date.now() + deadlineMs, waitForReady }, (err: ServiceError | null, res: O) =>
        err ? reject(fromServiceError(err, this.peer.id)) : resolve(res),
      );
    });
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
    this.client.close();
  }
}
