import { create } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  GetConsistencyProofRequestSchema,
  GetEntriesRequestSchema,
  GetInclusionProofRequestSchema,
  GetTreeHeadRequestSchema,
  ListObservedTreeHeadsRequestSchema,
  TransparencyLogService,
  type GetEntriesResponse,
  type GetInclusionProofResponse,
  type GetTreeHeadResponse,
  type GetConsistencyProofResponse,
  type ListObservedTreeHeadsResponse,
} from '../../gen/cordon/v1/log_pb.js';
import { mintCallToken } from '../../federation/auth/call-token.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import { CLIENT_OPTIONS, STREAM_DEADLINE_MS, UNARY_DEADLINE_MS } from '../../federation/grpc/options.js';
import { clientDefinition } from '../../federation/grpc/service-definition.js';
import { fromServiceError } from '../../federation/grpc/status.js';
import { headFromWire, type LogHead } from './wire.js';

const LogServiceClient = makeGenericClientConstructor(clientDefinition(TransparencyLogService), 'TransparencyLogService');

/**
 * A typed TransparencyLogService client for one consortium node: a fresh call
 * token per call, a deadline on every call, errors as CordonErrors naming the
 * peer. Heads come back decoded but NOT verified: callers verify them against
 * the membership's key for the log they claim to be.
 */
export class LogClient {
  readonly #client: Client & Record<string, Function>;

  constructor(private readonly self: Identity, readonly peer: Peer) {
    this.#client = new LogServiceClient(peer.address, credentials.createInsecure(), CLIENT_OPTIONS) as Client & Record<string, Function>;
  }

  #metadata(): Metadata {
    const md = new Metadata();
    md.set('authorization', `Bearer ${mintCallToken(this.self.id, this.self.key, this.peer.id)}`);
    return md;
  }

  #unary<O>(method: string, request: unknown): Promise<O> {
    const metadata = this.#metadata();
    return new Promise<O>((resolve, reject) => {
      this.#client[method]!(request, metadata, { deadline: Date.now() + UNARY_DEADLINE_MS }, (err: ServiceError | null, res: O) =>
        err ? reject(fromServiceError(err, this.peer.id)) : resolve(res),
      );
    });
  }

  async treeHead(): Promise<LogHead> {
    const res = await this.#unary<GetTreeHeadResponse>('getTreeHead', create(GetTreeHeadRequestSchema, {}));
    return headFromWire(res.head, `${this.peer.id} GetTreeHead`);
  }

  async inclusionProof(leafIndex: number, treeSize: number): Promise<{ proof: Uint8Array[]; leaf: Uint8Array }> {
    const res = await this.#unary<GetInclusionProofResponse>('getInclusionProof', create(GetInclusionProofRequestSchema, { leafIndex: BigInt(leafIndex), treeSize: BigInt(treeSize) }));
    return { proof: res.proof, leaf: res.leaf };
  }

  async consistencyProof(firstSize: number, secondSize: number): Promise<Uint8Array[]> {
    const res = await this.#unary<GetConsistencyProofResponse>('getConsistencyProof', create(GetConsistencyProofRequestSchema, { firstSize: BigInt(firstSize), secondSize: BigInt(secondSize) }));
    return res.proof;
  }

  async observedTreeHeads(): Promise<LogHead[]> {
    const res = await this.#unary<ListObservedTreeHeadsResponse>('listObservedTreeHeads', create(ListObservedTreeHeadsRequestSchema, {}));
    return res.heads.map((h, i) => headFromWire(h, `${this.peer.id} ListObservedTreeHeads[${i}]`));
  }

  /**
   * Leaves [start, end) in order, as chunks (`start` = index of the chunk's
   * first leaf). Follows up when the server stops early, so the caller gets
   * the whole range or an error.
   */
  async *entries(start: number, end: number): AsyncGenerator<{ start: number; leaves: Uint8Array[] }> {
    let next = start;
    // At least one call, even for an empty or reversed range: the server names what is wrong with it.
    do {
      const stream = this.#client.getEntries!(create(GetEntriesRequestSchema, { start: BigInt(next), end: BigInt(end) }), this.#metadata(), {
        deadline: Date.now() + STREAM_DEADLINE_MS,
      }) as ClientReadableStream<GetEntriesResponse>;
      const before = next;
      try {
        for await (const msg of stream) {
          if (Number(msg.start) !== next) throw new Error(`chunk starts at ${msg.start}, expected ${next}`);
          next += msg.leaves.length;
          yield { start: Number(msg.start), leaves: msg.leaves };
        }
      } catch (err) {
        throw fromServiceError(err, this.peer.id);
      } finally {
        stream.cancel();
      }
      if (next === before) throw fromServiceError(new Error(`GetEntries [${next}, ${end}) returned nothing`), this.peer.id);
    } while (next < end);
  }

  close(): void {
    this.#client.close();
  }
}
