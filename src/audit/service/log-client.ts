import { create } from '@bufbuild/protobuf';
import {
  GetConsistencyProofRequestSchema,
  GetEntriesRequestSchema,
  GetInclusionProofRequestSchema,
  GetTreeHeadRequestSchema,
  ListObservedTreeHeadsRequestSchema,
  TransparencyLogService,
} from '../../gen/cordon/v1/log_pb.js';
import { CordonError } from '../../errors.js';
import { PeerClient, type Identity, type Peer } from '../../federation/client/peer-client.js';
import { fromServiceError } from '../../federation/grpc/status.js';
import { headFromWire, type LogHead } from './wire.js';

const m = TransparencyLogService.method;

/**
 * A typed TransparencyLogService client for one consortium node: a fresh call
 * token per call, a deadline on every call, errors as CordonErrors naming the
 * peer. Heads come back decoded but NOT verified: callers verify them against
 * the membership's key for the log they claim to be.
 */
export class LogClient {
  readonly #peer: PeerClient;

  constructor(self: Identity, readonly peer: Peer) {
    this.#peer = new PeerClient(self, peer);
  }

  async treeHead(): Promise<LogHead> {
    const res = await this.#peer.call(m.getTreeHead, create(GetTreeHeadRequestSchema, {}));
    return headFromWire(res.head, `${this.peer.id} GetTreeHead`);
  }

  async inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    const res = await this.#peer.call(m.getInclusionProof, create(GetInclusionProofRequestSchema, { leafIndex: BigInt(leafIndex), treeSize: BigInt(treeSize) }));
    return res.proof;
  }

  /** The data of leaf `index` (one GetEntries call). */
  async leaf(index: number): Promise<Uint8Array> {
    for await (const chunk of this.entries(index, index + 1)) return chunk.leaves[0]!;
    throw new CordonError('UNAVAILABLE', `${this.peer.id}: GetEntries returned no leaf ${index}`);
  }

  async consistencyProof(firstSize: number, secondSize: number): Promise<Uint8Array[]> {
    const res = await this.#peer.call(m.getConsistencyProof, create(GetConsistencyProofRequestSchema, { firstSize: BigInt(firstSize), secondSize: BigInt(secondSize) }));
    return res.proof;
  }

  async observedTreeHeads(): Promise<LogHead[]> {
    const res = await this.#peer.call(m.listObservedTreeHeads, create(ListObservedTreeHeadsRequestSchema, {}));
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
      const before = next;
      for await (const msg of this.#peer.stream(m.getEntries, create(GetEntriesRequestSchema, { start: BigInt(next), end: BigInt(end) }))) {
        if (Number(msg.start) !== next) throw fromServiceError(new Error(`chunk starts at ${msg.start}, expected ${next}`), this.peer.id);
        next += msg.leaves.length;
        yield { start: Number(msg.start), leaves: msg.leaves };
      }
      if (next === before) throw fromServiceError(new Error(`GetEntries [${next}, ${end}) returned nothing`), this.peer.id);
    } while (next < end);
  }

  close(): void {
    this.#peer.close();
  }
}
