import { create } from '@bufbuild/protobuf';
import { SignedTreeHeadSchema, type SignedTreeHead as WireHead } from '../../gen/cordon/v1/log_pb.js';
import { CordonError } from '../../errors.js';
import { MerkleError } from '../../crypto/merkle/index.js';
import type { SignedTreeHead } from '../tree-head.js';

/** A signed head together with the log it speaks for. */
export interface LogHead { readonly logId: string; readonly head: SignedTreeHead }

export function headToWire(logId: string, h: SignedTreeHead): WireHead {
  return create(SignedTreeHeadSchema, { logId, size: BigInt(h.size), root: h.root, timestampMs: BigInt(h.timestamp), kid: h.kid, signature: h.signature });
}

/** A head as received; INVALID_INPUT naming `where` when its numbers cannot be a head's. */
export function headFromWire(w: WireHead | undefined, where: string): LogHead {
  if (!w) throw new CordonError('INVALID_INPUT', `${where}: no tree head`);
  if (w.size < 0n || w.size > BigInt(Number.MAX_SAFE_INTEGER)) throw new CordonError('INVALID_INPUT', `${where}: tree head size ${w.size} is out of range`);
  if (w.timestampMs < 0n || w.timestampMs > BigInt(Number.MAX_SAFE_INTEGER)) throw new CordonError('INVALID_INPUT', `${where}: tree head timestamp ${w.timestampMs} is out of range`);
  return { logId: w.logId, head: { size: Number(w.size), root: Uint8Array.from(w.root), timestamp: Number(w.timestampMs), kid: w.kid, signature: w.signature } };
}

/**
 * A size or index from a request (int64) as a JS number: negative or past
 * 2^53 − 1 is refused as the Merkle library would refuse it (INVALID_ARGUMENT).
 */
export function requestNumber(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MerkleError(what.includes('index') ? 'INVALID_INDEX' : 'INVALID_SIZE', `${what} must be a non-negative safe integer, got ${v}`);
  }
  return Number(v);
}
