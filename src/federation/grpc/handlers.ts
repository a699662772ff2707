import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import type { Metadata, sendUnaryData, ServerDuplexStream, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import type { Writable } from 'node:stream';
import { CordonError } from '../../errors.js';
import { authorize } from '../auth/acl.js';
import type { CallTokenVerifier } from '../auth/call-token.js';
import type { Member, Role } from '../membership/schema.js';
import { toServiceError } from './status.js';

/**
 * The pipeline every RPC goes through, in order: authenticate the call token,
 * authorize against the ACL, decode the request bytes, run the handler, map
 * errors to gRPC statuses. Handlers see only decoded, authorized requests.
 */
export interface CallContext {
  readonly rpc: string;
  readonly caller: Member;
  /** The caller may act only on itself (see auth/acl.ts). */
  readonly ownOnly: boolean;
  readonly signal: AbortSignal;
}

export interface PipelineDeps {
  readonly nodeRole: Role;
  readonly tokens: CallTokenVerifier;
  readonly onInternalError: (rpc: string, err: unknown) => void;
  /** Called once per finished call, for metrics. */
  readonly onCallDone?: (rpc: string, ok: boolean, ms: number) => void;
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

/** `send` for a server-side stream: writes, and waits for 'drain' while the transport's buffer is full. */
function backpressuredSend<O>(call: Writable, signal: AbortSignal, rpc: string): StreamSend<O> {
  return async (msg) => {
    if (signal.aborted) throw new CordonError('UNAVAILABLE', `${rpc}: the caller went away`);
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

/**
 * Ends a stream once its handler settles: OK when it resolves; otherwise the
 * mapped status (grpc-js turns an 'error' event on a server-side stream into
 * the call's final status), unless the caller already went away.
 */
function finish(deps: PipelineDeps, rpc: string, call: Writable, signal: AbortSignal, started: number, work: Promise<void>): void {
  work.then(
    () => {
      deps.onCallDone?.(rpc, true, performance.now() - started);
      call.end();
    },
    (err: unknown) => {
      deps.onCallDone?.(rpc, false, performance.now() - started);
      if (!signal.aborted) call.emit('error', toServiceError(err, (e) => deps.onInternalError(rpc, e)));
    },
  );
}

export function serverStream<I extends DescMessage, O extends DescMessage>(
  deps: PipelineDeps,
  rpc: string,
  input: I,
  handler: (req: MessageShape<I>, ctx: CallContext, send: StreamSend<MessageShape<O>>) => Promise<void>,
) {
  return (call: ServerWritableStream<Buffer, MessageShape<O>>) => {
    const started = performance.now();
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const send = backpressuredSend(call, abort.signal, rpc);
    finish(deps, rpc, call, abort.signal, started, admit(deps, rpc, call.metadata, abort.signal).then((ctx) => handler(decode(input, call.request, rpc), ctx, send)));
  };
}

/** A bidirectional stream as its handler sees it. */
export interface BidiStreamIO<I, O> {
  /**
   * The next decoded request; undefined once the caller half-closed. Rejects
   * INVALID_INPUT for bytes that are not a valid request, UNAVAILABLE once the
   * caller cancelled.
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
) {
  return (call: ServerDuplexStream<Buffer, MessageShape<O>>) => {
    const started = performance.now();
    const abort = new AbortController();
    const gone = () => new CordonError('UNAVAILABLE', `${rpc}: the caller went away`);
    call.on('cancelled', () => abort.abort());
    // Not call[Symbol.asyncIterator](): that destroys the stream when the caller half-closes, and a destroyed call can send no status.
    const requests = call.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
    const cancelled = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(gone()), { once: true }));
    cancelled.catch(() => undefined);
    const receive = async (): Promise<MessageShape<I> | undefined> => {
      if (abort.signal.aborted) throw gone();
      const next = await Promise.race([requests.next(), cancelled]);
      return next.done ? undefined : decode(input, next.value, rpc);
    };
    const send = backpressuredSend(call, abort.signal, rpc);
    finish(deps, rpc, call, abort.signal, started, admit(deps, rpc, call.metadata, abort.signal).then((ctx) => handler({ receive, send }, ctx)));
  };
}
