import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { CordonError, type CordonErrorCode } from '../../errors.js';
import { isDatabaseUnavailable } from '../../store/unavailable.js';

/** One table from Cordon's error codes to gRPC status codes. */
const GRPC_STATUS: Record<CordonErrorCode, status> = {
  INVALID_INPUT: status.INVALID_ARGUMENT,
  INVALID_CONFIG: status.INVALID_ARGUMENT,
  INVALID_MANIFEST: status.INVALID_ARGUMENT,
  INVALID_SIGNATURE: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  NOT_FOUND: status.NOT_FOUND,
  OUT_OF_SEQUENCE: status.FAILED_PRECONDITION,
  EQUIVOCATION: status.ALREADY_EXISTS,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: status.UNAVAILABLE,
  INTERNAL: status.INTERNAL,
};

/** A CordonError that carries trailing metadata to the caller (e.g. the node's chain head on a gap). */
export class CordonErrorWithTrailers extends CordonError {
  constructor(code: CordonErrorCode, message: string, readonly trailers: Record<string, string>) {
    super(code, message);
  }
}

/** Turns anything thrown by a handler into a ServiceError; unexpected errors never leak their internals. */
export function toServiceError(err: unknown, onInternal?: (err: unknown) => void): Partial<ServiceError> {
  // An INTERNAL CordonError describes this node's own state (a tile, a table): it goes to the
  // node's log, and the caller learns only that the fault is the node's, as for any other bug.
  if (err instanceof CordonError && err.code !== 'INTERNAL') {
    const metadata = new Metadata();
    if (err instanceof CordonErrorWithTrailers) for (const [k, v] of Object.entries(err.trailers)) metadata.set(k, v);
    return { code: GRPC_STATUS[err.code], details: err.message, metadata };
  }
  // The database going away mid-call (a restart, a failover) is not a bug: nothing was
  // committed, and the caller should retry. Its details stay in the node's log.
  if (isDatabaseUnavailable(err)) return { code: status.UNAVAILABLE, details: 'the node\'s database is unavailable; retry later' };
  onInternal?.(err);
  return { code: status.INTERNAL, details: 'internal error (see the node log)' };
}

/** Turns a gRPC client error back into a CordonError with a message naming the peer. */
export function fromServiceError(err: unknown, peer: string): CordonError {
  const e = err as Partial<ServiceError>;
  const byStatus = Object.entries(GRPC_STATUS).find(([, s]) => s === e.code)?.[0] as CordonErrorCode | undefined;
  const code: CordonErrorCode = e.code === status.DEADLINE_EXCEEDED ? 'UNAVAILABLE' : byStatus ?? 'UNAVAILABLE';
  const error = new CordonError(code, `${peer}: ${connectionFailure(e.details) ?? (e.details || e.message || String(err))}`, { cause: err });
  return error;
}

/**
 * grpc-js reports a channel that could not connect as "No connection
 * established. Last error: <why>. Resolution note: <note>", the note usually
 * empty. Operators read that in our logs and errors: say "unreachable" and
 * why, and keep the note only when it says something.
 */
const NO_CONNECTION = /^No connection established\. Last error: (.*?)\.? Resolution note: ?(.*)$/s;

function connectionFailure(details: string | undefined): string | undefined {
  const m = details ? NO_CONNECTION.exec(details) : null;
  if (!m) return undefined;
  const why = m[1]!.replace(/^Error: /, '').trim();
  const note = m[2]!.trim();
  return `unreachable (${why || 'no connection'}${note ? `; ${note}` : ''})`;
}
