import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BatchLeafSchema, LogLeafSchema } from '../gen/cordon/v1/log_pb.js';
import { CordonError } from '../errors.js';
import { MAX_LEAF_BYTES } from './tiles/bundle.js';

/**
 * What a leaf of a consortium node's log says: a `cordon.v1.LogLeaf`
 * (proto/cordon/v1/log.proto) — version, kind, ref and the kind's own body —
 * serialized; the leaf hash is SHA-256(0x00 || those bytes). Kind and ref are
 * inside the hashed bytes, so a log cannot relabel an entry.
 */
export const LOG_LEAF_VERSION = 1;

/** The kind of an accepted batch's leaf; its body is a `cordon.v1.BatchLeaf`. */
export const BATCH_LEAF_KIND = 'batch';

/** One entry to append: `entry` is the kind's body (other modules define theirs). */
export interface LogEntryInput { kind: string; ref: string; entry: Uint8Array }

export interface DecodedLeaf { version: number; kind: string; ref: string; body: Uint8Array }

export interface BatchLeafFields {
  providerId: string;
  seq: bigint;
  digest: Uint8Array;
  signature: string;
  recordCount: number;
  retractionCount: number;
}

const KIND = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_REF_CHARS = 512;

/** Checks an entry's shape; `where` names it in the error. */
export function checkEntryInput(e: LogEntryInput, where: string): void {
  if (typeof e?.kind !== 'string' || !KIND.test(e.kind)) throw new CordonError('INVALID_INPUT', `${where}: kind must match ${KIND.source}, got ${JSON.stringify(e?.kind)}`);
  if (typeof e.ref !== 'string' || e.ref.length > MAX_REF_CHARS) throw new CordonError('INVALID_INPUT', `${where}: ref must be a string of at most ${MAX_REF_CHARS} characters`);
  if (!(e.entry instanceof Uint8Array)) throw new CordonError('INVALID_INPUT', `${where}: entry must be bytes`);
}

/**
 * The leaf data for an entry: exactly `toBinary(LogLeafSchema, …)` (fields in
 * number order, proto3 defaults omitted), written directly because this runs
 * once per leaf on the append path and the reflective encoder is ~10x slower
 * (test/unit/audit/log-leaf.test.ts checks they agree byte for byte).
 */
export function encodeLogLeaf(e: LogEntryInput, where = 'log entry'): Uint8Array {
  checkEntryInput(e, where);
  const kind = Buffer.from(e.kind, 'utf8');
  const ref = Buffer.from(e.ref, 'utf8');
  const size = 2 + field(kind.length) + field(ref.length) + field(e.entry.length);
  if (size > MAX_LEAF_BYTES) throw new CordonError('INVALID_INPUT', `${where}: ${size} bytes exceeds the ${MAX_LEAF_BYTES}-byte leaf limit (log a digest, not the payload)`);
  const out = Buffer.allocUnsafe(size);
  out[0] = 0x08; // field 1, varint
  out[1] = LOG_LEAF_VERSION;
  let pos = put(out, 2, 0x12, kind); // field 2, length-delimited
  pos = put(out, pos, 0x1a, ref); // field 3
  put(out, pos, 0x22, e.entry); // field 4
  return out;
}

/** Bytes a length-delimited field of `n` bytes takes (0 when proto3 omits it). */
function field(n: number): number {
  return n === 0 ? 0 : 1 + varintSize(n) + n;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

function put(out: Buffer, pos: number, tag: number, value: Uint8Array): number {
  if (value.length === 0) return pos;
  out[pos++] = tag;
  let n = value.length;
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[pos++] = n;
  out.set(value, pos);
  return pos + value.length;
}

export function decodeLogLeaf(data: Uint8Array, where: string): DecodedLeaf {
  let leaf;
  try {
    leaf = fromBinary(LogLeafSchema, data);
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `${where}: not a LogLeaf (${(err as Error).message})`);
  }
  if (leaf.version !== LOG_LEAF_VERSION) throw new CordonError('INVALID_INPUT', `${where}: LogLeaf version ${leaf.version} is not supported (expected ${LOG_LEAF_VERSION})`);
  return { version: leaf.version, kind: leaf.kind, ref: leaf.ref, body: leaf.body };
}

export const batchRef = (providerId: string, seq: bigint): string => `${providerId}#${seq}`;

export function batchLeafEntry(b: BatchLeafFields): LogEntryInput {
  const body = toBinary(BatchLeafSchema, create(BatchLeafSchema, {
    providerId: b.providerId, seq: b.seq, digest: b.digest, signature: b.signature, recordCount: b.recordCount, retractionCount: b.retractionCount,
  }));
  return { kind: BATCH_LEAF_KIND, ref: batchRef(b.providerId, b.seq), entry: body };
}

/** The batch a leaf records, or undefined for a leaf of another kind. */
export function batchOfLeaf(leaf: DecodedLeaf, where: string): BatchLeafFields | undefined {
  if (leaf.kind !== BATCH_LEAF_KIND) return undefined;
  let b;
  try {
    b = fromBinary(BatchLeafSchema, leaf.body);
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `${where}: batch leaf body is not a BatchLeaf (${(err as Error).message})`);
  }
  if (b.digest.length !== 32) throw new CordonError('INVALID_INPUT', `${where}: batch leaf digest is ${b.digest.length} bytes, not 32`);
  return { providerId: b.providerId, seq: b.seq, digest: Uint8Array.from(b.digest), signature: b.signature, recordCount: b.recordCount, retractionCount: b.retractionCount };
}
