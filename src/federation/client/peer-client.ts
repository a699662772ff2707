import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { KeyObject } from 'node:crypto';
import type { SignedBatch } from '../../gen/cordon/v1/common_pb.js';
import {
  FederationService,
  FetchBatchesRequestSchema,
  GetHeadsRequestSchema,
  GetManifestRequestSchema,
  ListEquivocationsRequestSchema,
  PublishRequestSchema,
  UpdateManifestRequestSchema,
  type FetchBatchesResponse,
  type GetHeadsResponse,
  type GetManifestResponse,
  type ListEquivocationsResponse,
  type PublishResponse,
  type UpdateManifestResponse,
} from '../../gen/cordon/v1/federation_pb.js';
import { CordonError } from '../../errors.js';
import { mintCallToken } from '../auth/call-token.js';
import { HEAD_SEQ_TRAILER } from '../chain/accept-batch.js';
import { CLIENT_OPTIONS, PUBLISH_DEADLINE_MS, STREAM_DEADLINE_MS, UNARY_DEADLINE_MS } from '../grpc/options.js';
import { clientDefinition } from '../grpc/service-definition.js';
import { fromServiceError } from '../grpc/status.js';

const FederationClient = makeGenericClientConstructor(clientDefinition(FederationService), 'FederationService');

export interface Identity { readonly id: string; readonly key: KeyObject }
export interface Peer { readonly id: string; readonly address: string }

/** A node's refusal of a batch that does not follow its head; carries the head so the caller can resend. */
export class OutOfSequenceError extends CordonError {
  constructor(message: string, readonly headSeq: bigint) {
    super('OUT_OF_SEQUENCE', message);
  }
}

/**
 * A typed FederationService client for one peer. Every call carries a fresh
 * call token for that peer and a deadline; errors come back as CordonErrors
 * naming the peer.
 */
export class PeerClient {
  private readonly client: Client & Record<string, Function>;

  constructor(private readonly self: Identity, readonly peer: Peer) {
    this.client = new FederationClient(peer.address, credentials.createInsecure(), CLIENT_OPTIONS) as Client & Record<string, Function>;
  }

  private metadata(): Metadata {
    const md = new Metadata();
    md.set('authorization', `Bearer ${mintCallToken(this.self.id, this.self.key, this.peer.id)}`);
    return md;
  }

  /** Issues the call synchronously (calls leave in the order they are made), resolving with the answer. */
  private unary<O>(method: string, request: unknown, deadlineMs = UNARY_DEADLINE_MS): Promise<O> {
    const metadata = this.metadata();
    return new Promise<O>((resolve, reject) => {
      this.client[method]!(request, metadata, { deadline: Date.now() + deadlineMs }, (err: ServiceError | null, res: O) => {
        if (!err) return resolve(res);
        const headSeq = err.metadata?.get(HEAD_SEQ_TRAILER)[0];
        const e = fromServiceError(err, this.peer.id);
        reject(typeof headSeq === 'string' ? new OutOfSequenceError(e.message, BigInt(headSeq)) : e);
      });
    });
  }

  publish(batch: SignedBatch): Promise<PublishResponse> {
    return this.unary('publish', create(PublishRequestSchema, { batch }), PUBLISH_DEADLINE_MS);
  }

  getHeads(): Promise<GetHeadsResponse> {
    return this.unary('getHeads', create(GetHeadsRequestSchema, {}));
  }

  getManifest(): Promise<GetManifestResponse> {
    return this.unary('getManifest', create(GetManifestRequestSchema, {}));
  }

  updateManifest(manifestJws: string): Promise<UpdateManifestResponse> {
    return this.unary('updateManifest', create(UpdateManifestRequestSchema, { manifestJws }));
  }

  listEquivocations(providerId = ''): Promise<ListEquivocationsResponse> {
    return this.unary('listEquivocations', create(ListEquivocationsRequestSchema, { providerId }));
  }

  /** Streams a provider's batches in order; the stream applies backpressure as the caller consumes. */
  async *fetchBatches(providerId: string, fromSeq: bigint, limit = 0): AsyncGenerator<SignedBatch> {
    const metadata = this.metadata();
    const stream = this.client.fetchBatches!(create(FetchBatchesRequestSchema, { providerId, fromSeq, limit }), metadata, {
      deadline: Date.now() + STREAM_DEADLINE_MS,
    }) as ClientReadableStream<FetchBatchesResponse>;
    try {
      for await (const msg of stream) if (msg.batch) yield msg.batch;
    } catch (err) {
      throw fromServiceError(err, this.peer.id);
    } finally {
      stream.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}

export type { DescMessage, MessageShape };
