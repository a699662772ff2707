import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { Metadata, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { Writable } from 'node:stream';
import { CordonError } from '../../errors.js';
import { authorize } from '../auth/acl.js';
import type { CallTokenVerifier } from '../auth/call-token.js';
import type { Member, Role } from '../membership/schema.js';
import type { OpenStreams, StreamEnd } from './open-streams.js';
import { STREAM_END_LIFETIME, STREAM_END_TRAILER } from './options.js';
import { toServiceError } from './status.js';

/**
 * The pipeline every RPC goes through, in order: authenticate the call token,
 * authorize against the ACL, decode the request bytes, run the handler, map
 * errors to gRPC statuses. Handlers see only decoded, authorized requests.
 * Streams are also tracked while open, and ended by the node when their
 * caller is no longer admitted or at their lifetime (runStream below).
 */
export interface CallContext {
  readonly rpc: string;
  readonly caller: Member;
  /** The caller may act only on itself (see auth/acl.ts). */
  readonly ownOnly: boolean;
  /** Aborts when the caller goes away or, for a stream, when the node ends it (its reason: the status sent). */
  readonly signal: AbortSignal;
}

export interface PipelineDeps {
  readonly nodeRole: Role;
  readonly tokens: CallTokenVerifier;
  readonly onInternalError: (rpc: string, err: unknown) => void;
  /** Called once per finished call, for metrics. */
  readonly onCallDone?: (rpc: string, ok: boolean, ms: number) => void;
  /**
   * The node's open streams (open-streams.ts): every stream is registered
   * there once admitted, and ended when its caller stops being admitted or it
   * reaches its lifetime. Without it (tests serving no streams) streams are
   * checked only when they start.
   */
  readonly streams?: OpenStreams;
}

function bearer(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  return value.startsWith('Bearer ') ? value.slice(7) : undefined;
}

async function admit(deps: PipelineDeps, rpc: string, metadata: Metadata, signal: AbortSignal): Promise<CallContext> {
  const caller = await deps.tokens.verify(bearer(metadata));
  const decision = authorize(rpc, caller.role, deps.nodeRole);
  if (!decision.allowed) throw new CordonError('PERMISSION_DENIED', decision.reason);
  return { rpc, caller, ownOnly: decision.ownOnly, signal };
}

function decode<I extends DescMessage>(schema: I, bytes: Buffer, rpc: string): MessageShape<I> {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `${rpc}: request is not a valid ${schema.typeName} (${(err as Error).message})`);
  }
}

export function unary<I extends DescMessage, O extends DescMessage>(
  deps: PipelineDeps,
  rpc: string,
  input: I,
  handler: (req: MessageShape<I>, ctx: CallContext, raw: Buffer) => Promise<MessageShape<O>>,
) {
  return (call: ServerUnaryCall<Buffer, MessageShape<O>>, callback: sendUnaryData<MessageShape<O>>) => {
    const started = performance.now();
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    admit(deps, rpc, call.metadata, abort.signal)
      .then((ctx) => handler(decode(input, call.request, rpc), ctx, call.request))
      .then(
        (res) => {
          deps.onCallDone?.(rpc, true, performance.now() - started);
          callback(null, res);
        },
        (err: unknown) => {
          deps.onCallDone?.(rpc, false, performance.now() - started);
          callback(toServiceError(err, (e) => deps.onInternalError(rpc, e)) as never);
        },
      );
  };
}

/** Writes to a server stream, waiting for the transport to drain when its buffer is full. */
export type StreamSend<O> = (msg: O) => Promise<void>;

/** What a stream's handler is told once its signal aborted: the node's reason for ending it, or that the caller went away. */
function stopped(signal: AbortSignal, rpc: string): CordonError {
  return signal.reason instanceof CordonError ? signal.reason : new CordonError('UNAVAILABLE', `${rpc}: the caller went away`);
}

/** `send` for a server-side stream: writes, and waits for 'drain' while the transport's buffer is full. */
function backpressuredSend<O>(call: Writable, signal: AbortSignal, rpc: string): StreamSend<O> {
  return async (msg) => {
    // Once the stream is ended (caller gone, caller no longer admitted, lifetime) nothing more is written.
    if (signal.aborted) throw stopped(signal, rpc);
    if (call.write(msg)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        call.off('drain', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      call.on('drain', done);
      signal.addEventListener('abort', done);
    });
  };
}

/** Per-RPC stream settings. */
export interface StreamOptions {
  /**
   * This RPC's lifetime instead of the node's (OpenStreams): for a stream
   * that cannot be resumed and may legitimately run longer (a PSI session).
   */
  readonly lifetimeMs?: number;
}

/**
 * How a stream ends when the node ends it at its lifetime: a server stream is
 * resumable (its clients reopen it from where they got to, so it ends OK with
 * the lifetime trailer); a bidirectional conversation cannot be resumed, so it
 * fails RESOURCE_EXHAUSTED rather than look complete.
 */
type StreamKind = 'resumable' | 'conversation';

type ServedStream = ServerWritableStream<Buffer, unknown> | ServerDuplexStream<Buffer, unknown>;

function lifetimeTrailer(): Metadata {
  const md = new Metadata();
  md.set(STREAM_END_TRAILER, STREAM_END_LIFETIME);
  return md;
}

/**
 * Runs one served stream: admits it, registers it with the node's open
 * streams (OpenStreams), runs the handler, and ends the call exactly once.
 * The handler resolving ends it OK, throwing ends it with the mapped status
 * (unless the caller already went away). The node may end it first: a caller
 * no longer admitted is answered with that refusal; a stream at its lifetime
 * ends as its kind says. Either way the handler's signal aborts with the
 * reason, so its sends fail and nothing more reaches the caller, and what
 * the handler does afterwards is ignored.
 */
function runStream(deps: PipelineDeps, rpc: string, call: ServedStream, kind: StreamKind, opts: StreamOptions, abort: AbortController, body: (ctx: CallContext) => Promise<void>): void {
  const started = performance.now();
  let settled = false;
  let release = () => {};
  const settle = (ok: boolean) => {
    settled = true;
    release();
    deps.onCallDone?.(rpc, ok, performance.now() - started);
  };
  const fail = (err: unknown) => call.emit('error', toServiceError(err, (e) => deps.onInternalError(rpc, e)));
  const endBy = (why: StreamEnd) => {
    if (settled) return;
    const err = why.kind === 'refused' ? why.error
      : kind === 'conversation' ? new CordonError('RESOURCE_EXHAUSTED', `${rpc}: the session reached its lifetime of ${why.lifetimeMs} ms`)
      : undefined;
    // Abort first: from here on every send fails, before the status is even queued.
    abort.abort(err ?? new CordonError('UNAVAILABLE', `${rpc}: the stream reached its lifetime; resume it`));
    settle(!err);
    if (err) fail(err);
    else call.end(lifetimeTrailer());
  };
  admit(deps, rpc, call.metadata, abort.signal)
    .then((ctx) => {
      if (deps.streams) release = deps.streams.add(rpc, ctx.caller, endBy, opts.lifetimeMs);
      // Ended while being registered: the manifest changed during admission.
      return settled ? undefined : body(ctx);
    })
    .then(
      () => {
        if (settled) return;
        settle(true);
        call.end();
      },
      (err: unknown) => {
        if (settled) return;
        settle(false);
        if (!abort.signal.aborted) fail(err);
      },
    );
}

export function serverStream<I extends DescMessage, O extends DescMessage>(
  deps: PipelineDeps,
  rpc: string,
  input: I,
  handler: (req: MessageShape<I>, ctx: CallContext, send: StreamSend<MessageShape<O>>) => Promise<void>,
  opts: StreamOptions = {},
) {
  return (call: ServerWritableStream<Buffer, MessageShape<O>>) => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const send = backpressuredSend(call, abort.signal, rpc);
    runStream(deps, rpc, call, 'resumable', opts, abort, (ctx) => handler(decode(input, call.request, rpc), ctx, send));
  };
}

/** A bidirectional stream as its handler sees it. */
export interface BidiStreamIO<I, O> {
  /**
   * The next decoded request; undefined once the caller half-closed. Rejects
   * INVALID_INPUT for bytes that are not a valid request, UNAVAILABLE once the
   * caller cancelled, and the node's refusal once it ended the stream.
   */
  receive(): Promise<I | undefined>;
  /** Writes a response, waiting for the transport to drain when its buffer is full. */
  send: StreamSend<O>;
}

/**
 * A bidirectional stream through the same pipeline: the call is admitted
 * (token, ACL) before the handler sees anything; each request is decoded as
 * it is read, so reading paces the caller (HTTP/2 flow control); the handler
 * resolving ends the call with OK, throwing ends it with the mapped status.
 */
export function bidiStream<I extends DescMessage, O extends DescMessage>(
  deps: PipelineDeps,
  rpc: string,
  input: I,
  handler: (io: BidiStreamIO<MessageShape<I>, MessageShape<O>>, ctx: CallContext) => Promise<void>,
  opts: StreamOptions = {},
) {
  return (call: ServerDuplexStream<Buffer, MessageShape<O>>) => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    // Not call[Symbol.asyncIterator](): that destroys the stream when the caller half-closes, and a destroyed call can send no status.
    const requests = call.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
    const ended = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(stopped(abort.signal, rpc)), { once: true }));
    ended.catch(() => undefined);
    const receive = async (): Promise<MessageShape<I> | undefined> => {
      if (abort.signal.aborted) throw stopped(abort.signal, rpc);
      const next = await Promise.race([requests.next(), ended]);
      return next.done ? undefined : decode(input, next.value, rpc);
    };
    const send = backpressuredSend(call, abort.signal, rpc);
    runStream(deps, rpc, call, 'conversation', opts, abort, (ctx) => handler({ receive, send }, ctx));
  };
}
