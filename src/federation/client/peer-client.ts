import { create, type DescMessage, type DescMethodBiDiStreaming, type DescMethodServerStreaming, type DescMethodUnary, type DescService, type MessageShape } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ClientDuplexStream, type ClientReadableStream, type ServiceError, type StatusObject } from '@grpc/grpc-js';
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
  type Equivocation,
  type GetHeadsResponse,
  type GetManifestResponse,
  type ListEquivocationsResponse,
  type PublishResponse,
  type UpdateManifestResponse,
} from '../../gen/cordon/v1/federation_pb.js';
import { CordonError } from '../../errors.js';
import { mintCallToken } from '../auth/call-token.js';
import { HEAD_SEQ_TRAILER } from '../chain/accept-batch.js';
import { CLIENT_OPTIONS, PUBLISH_DEADLINE_MS, STREAM_DEADLINE_MS, STREAM_END_LIFETIME, STREAM_END_TRAILER, UNARY_DEADLINE_MS } from '../grpc/options.js';
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

/** One bidirectional stream to a peer; errors come back as CordonErrors naming the peer. */
export interface BidiCall<Req, Res> {
  /** Writes a message, waiting while the transport's buffer is full (backpressure). */
  send(msg: Req): Promise<void>;
  /** The peer's next message; undefined once it ended the stream with OK. */
  receive(): Promise<Res | undefined>;
  /** Half-closes: no more messages from this side. */
  end(): void;
  cancel(): void;
}

/** Options of one call: its deadline, whether to wait for a channel that is not ready yet, and an abort signal (streams). */
export interface CallOptions { deadlineMs?: number; waitForReady?: boolean; signal?: AbortSignal }

/**
 * The one gRPC client to a peer: a typed FederationService client plus
 * `call`, `stream` and `bidi` on any other service the peer serves, all on
 * one channel. Every call carries a fresh call token for that peer and a
 * deadline; errors come back as CordonErrors naming the peer. Service
 * clients elsewhere (alerts, log, OPRF, reports, cases) are thin typed
 * wrappers over it.
 */
export class PeerClient {
  private readonly client: Client & Record<string, Function>;
  /** Clients of the peer's other services, sharing the one channel. */
  private readonly others = new Map<string, Client & Record<string, Function>>();

  constructor(private readonly self: Identity, readonly peer: Peer) {
    this.client = new FederationClient(peer.address, credentials.createInsecure(), CLIENT_OPTIONS) as Client & Record<string, Function>;
  }

  /** A fresh call token; `waitForReady` is a metadata option in grpc-js (not a call option). */
  private metadata(waitForReady = false): Metadata {
    const md = new Metadata({ waitForReady });
    md.set('authorization', `Bearer ${mintCallToken(this.self.id, this.self.key, this.peer.id)}`);
    return md;
  }

  private clientFor(service: DescService): Client & Record<string, Function> {
    if (service.typeName === FederationService.typeName) return this.client;
    let client = this.others.get(service.typeName);
    if (!client) {
      const Ctor = makeGenericClientConstructor(clientDefinition(service), service.name);
      client = new Ctor(this.peer.address, credentials.createInsecure(), { ...CLIENT_OPTIONS, channelOverride: this.client.getChannel() }) as Client & Record<string, Function>;
      this.others.set(service.typeName, client);
    }
    return client;
  }

  /** Issues the call synchronously (calls leave in the order they are made), resolving with the answer. */
  private unary<O>(method: string, request: unknown, deadlineMs = UNARY_DEADLINE_MS, client = this.client, waitForReady = false): Promise<O> {
    const metadata = this.metadata(waitForReady);
    return new Promise<O>((resolve, reject) => {
      client[method]!(request, metadata, { deadline: Date.now() + deadlineMs }, (err: ServiceError | null, res: O) => {
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

  getHeads(opts: CallOptions = {}): Promise<GetHeadsResponse> {
    return this.unary('getHeads', create(GetHeadsRequestSchema, {}), opts.deadlineMs ?? UNARY_DEADLINE_MS, this.client, opts.waitForReady ?? false);
  }

  getManifest(): Promise<GetManifestResponse> {
    return this.unary('getManifest', create(GetManifestRequestSchema, {}));
  }

  updateManifest(manifestJws: string): Promise<UpdateManifestResponse> {
    return this.unary('updateManifest', create(UpdateManifestRequestSchema, { manifestJws }));
  }

  /** One page of the node's equivocation evidence; `pageToken` is the previous page's next_page_token. */
  listEquivocations(providerId = '', page: { pageSize?: number; pageToken?: string } = {}): Promise<ListEquivocationsResponse> {
    return this.unary('listEquivocations', create(ListEquivocationsRequestSchema, { providerId, pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? '' }));
  }

  /**
   * Every entry of the node's equivocation evidence, page after page, one page
   * in memory at a time. A node that lists more than `maxEntries` (the most an
   * honest one keeps) is refused with RESOURCE_EXHAUSTED rather than followed
   * for ever.
   */
  async *equivocations(providerId = '', maxEntries = Number.POSITIVE_INFINITY): AsyncGenerator<Equivocation> {
    let pageToken = '';
    let seen = 0;
    do {
      const page = await this.listEquivocations(providerId, { pageToken });
      if (page.equivocations.length === 0) return; // an honest page holds at least one entry
      seen += page.equivocations.length;
      if (seen > maxEntries) throw new CordonError('RESOURCE_EXHAUSTED', `${this.peer.id}: lists more than ${maxEntries} equivocation entries, more than a node keeps`);
      yield* page.equivocations;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** Streams a provider's batches in order; the stream applies backpressure as the caller consumes. */
  async *fetchBatches(providerId: string, fromSeq: bigint, limit = 0): AsyncGenerator<SignedBatch> {
    for await (const msg of this.stream(FederationService.method.fetchBatches, create(FetchBatchesRequestSchema, { providerId, fromSeq, limit }))) {
      if (msg.batch) yield msg.batch;
    }
  }

  /** A unary call on any service the peer serves, with a call token and a deadline. */
  call<I extends DescMessage, O extends DescMessage>(method: DescMethodUnary<I, O>, request: MessageShape<I>, opts: number | CallOptions = {}): Promise<MessageShape<O>> {
    const o = typeof opts === 'number' ? { deadlineMs: opts } : opts;
    return this.unary(method.localName, request, o.deadlineMs ?? UNARY_DEADLINE_MS, this.clientFor(method.parent), o.waitForReady ?? false);
  }

  /**
   * A server stream on any service the peer serves: yields its messages with
   * backpressure as the caller consumes. Ends quietly when `signal` aborts;
   * any other failure is a CordonError naming the peer.
   *
   * A server ends every stream at its lifetime (grpc/open-streams.ts), with OK
   * and the lifetime trailer. With `resume`, the stream is then reopened, with
   * a fresh call token, from the request `resume` returns (called after the
   * last message was consumed, so it can continue after it); without, the
   * iteration just ends and the caller continues from what it got.
   */
  async *stream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    request: MessageShape<I>,
    opts: CallOptions & { resume?: () => MessageShape<I> } = {},
  ): AsyncGenerator<MessageShape<O>> {
    let next = request;
    for (;;) {
      const end = yield* this.streamOnce(method, next, opts);
      if (end !== 'lifetime' || !opts.resume || opts.signal?.aborted) return;
      next = opts.resume();
    }
  }

  /** One server stream to its end; returns how it ended ('lifetime': the server ended it at its lifetime). */
  private async *streamOnce<I extends DescMessage, O extends DescMessage>(method: DescMethodServerStreaming<I, O>, request: MessageShape<I>, opts: CallOptions): AsyncGenerator<MessageShape<O>, 'complete' | 'lifetime'> {
    const call = this.clientFor(method.parent)[method.localName]!(request, this.metadata(opts.waitForReady), {
      deadline: Date.now() + (opts.deadlineMs ?? STREAM_DEADLINE_MS),
    }) as ClientReadableStream<MessageShape<O>>;
    // grpc-js reports the status before the iteration sees the end.
    let trailer: unknown;
    call.on('status', (s: StatusObject) => (trailer = s.metadata?.get(STREAM_END_TRAILER)[0]));
    const cancel = () => call.cancel();
    opts.signal?.addEventListener('abort', cancel);
    try {
      for await (const msg of call) yield msg;
    } catch (err) {
      if (opts.signal?.aborted) return 'complete';
      throw fromServiceError(err, this.peer.id);
    } finally {
      opts.signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
    return trailer === STREAM_END_LIFETIME ? 'lifetime' : 'complete';
  }

  /** Opens a bidirectional stream on any service the peer serves, with a call token and a deadline for the whole stream. */
  bidi<I extends DescMessage, O extends DescMessage>(method: DescMethodBiDiStreaming<I, O>, deadlineMs = STREAM_DEADLINE_MS): BidiCall<MessageShape<I>, MessageShape<O>> {
    const call = this.clientFor(method.parent)[method.localName]!(this.metadata(), { deadline: Date.now() + deadlineMs }) as ClientDuplexStream<MessageShape<I>, MessageShape<O>>;
    let failure: CordonError | undefined;
    call.on('error', (err) => (failure ??= fromServiceError(err, this.peer.id)));
    // Reading to the end must not destroy the call (the default async iterator does).
    const messages = call.iterator({ destroyOnReturn: false }) as AsyncIterator<MessageShape<O>>;
    return {
      send: async (msg) => {
        if (failure) throw failure;
        if (call.write(msg)) return;
        await new Promise<void>((resolve) => {
          const done = () => {
            for (const event of ['drain', 'close', 'error']) call.off(event, done);
            resolve();
          };
          for (const event of ['drain', 'close', 'error']) call.on(event, done);
        });
        if (failure) throw failure;
      },
      receive: async () => {
        try {
          const next = await messages.next();
          return next.done ? undefined : next.value;
        } catch (err) {
          throw failure ?? fromServiceError(err, this.peer.id);
        }
      },
      end: () => call.end(),
      cancel: () => call.cancel(),
    };
  }

  close(): void {
    for (const c of this.others.values()) c.close();
    this.client.close();
  }
}

export type { DescMessage, MessageShape };
