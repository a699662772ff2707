import { create, fromBinary, ScalarType, toBinary, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeBatchForCommit, type DecodedBatch } from '../../../src/federation/chain/batch-wire.js';
import { LABEL, MAX_CLOCK_SKEW_MS, RECORD_ID } from '../../../src/federation/chain/limits.js';
import { recordRows } from '../../../src/federation/chain/record-rows.js';
import {
  asciiRuleOk,
  LABEL_BYTES,
  MAX_TIME_MS,
  MIN_TIME_MS,
  RECORD_ID_BYTES,
  validateBatch,
} from '../../../src/federation/chain/validate-batch.js';
import { CordonError } from '../../../src/errors.js';
import { BatchSchema, RecordKind, TemplateSignatureSchema, TokenKind, type Batch } from '../../../src/gen/cordon/v1/common_pb.js';
import { makeRecords } from '../../support/records.js';
import { seededRandom } from '../../support/seeded-random.js';

/*
 * The decoder is checked against the reference path it replaces:
 * fromBinary(BatchSchema) → validateBatch → recordRows. Batches are generated
 * from a seeded PRNG, encoded by a test-side protobuf writer that varies what
 * the wire format allows (field order, unknown fields, repeated occurrences of
 * singular fields, split template messages, packed/unpacked minhash, overlong
 * varints, explicit defaults), and then also truncated and corrupted.
 */

const NOW = 1_750_000_000_000;
const WHERE = 'batch';

// ---------- seeded randomness ----------

type Rng = () => number;
const mulberry32 = seededRandom;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const chance = (rng: Rng, p: number): boolean => rng() < p;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;
const bytesOf = (rng: Rng, n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(rng, 256));

// ---------- a test-side protobuf writer with wire-level variation ----------

interface WireStyle {
  /** Interleave fields in random order (keeping the order within each repeated field). */
  shuffle: boolean;
  /** Insert unknown fields of every wire type. */
  unknown: boolean;
  /** Write singular scalars more than once, the real value last. */
  decoys: boolean;
  /** Write some varints (and lengths, tags) in overlong form. */
  overlong: boolean;
  /** Write default-valued scalars explicitly. */
  explicitDefaults: boolean;
  /** Split a record's template into several occurrences (merged by the reader). */
  splitTemplate: boolean;
  /** 0 = packed minhash, 1 = unpacked, 2 = mixed chunks. */
  minhashMode: 0 | 1 | 2;
}

function varintBytes(v: bigint, rng: Rng | undefined, overlong: boolean): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  if (overlong && rng && out.length < 10 && chance(rng, 0.3)) {
    const extra = 1 + int(rng, 10 - out.length);
    out[out.length - 1]! |= 0x80;
    for (let i = 0; i < extra - 1; i++) out.push(0x80);
    out.push(0x00);
  }
  return out;
}

class Chunks {
  /** [field, bytes] in the order the field's occurrences must keep. */
  readonly items: [number, number[]][] = [];
  constructor(private readonly rng: Rng, private readonly style: WireStyle) {}

  private tag(field: number, wt: number): number[] {
    // Overlong tags are legal up to 5 bytes with the 5th ≤ 0x0f.
    const t = varintBytes(BigInt((field << 3) | wt), undefined, false);
    if (this.style.overlong && t.length < 5 && chance(this.rng, 0.1)) {
      t[t.length - 1]! |= 0x80;
      while (t.length < 4) t.push(0x80);
      t.push(0x00);
    }
    return t;
  }
  private v(x: bigint): number[] { return varintBytes(x, this.rng, this.style.overlong); }

  varint(field: number, x: bigint | number, isDefault = false): void {
    if (isDefault && !this.style.explicitDefaults) return;
    this.items.push([field, [...this.tag(field, 0), ...this.v(BigInt(x))]]);
  }
  fixed32(field: number, raw: number[], isDefault = false): void {
    if (isDefault && !this.style.explicitDefaults) return;
    this.items.push([field, [...this.tag(field, 5), ...raw]]);
  }
  bytes(field: number, b: Uint8Array | number[], isDefault = false): void {
    if (isDefault && !this.style.explicitDefaults) return;
    this.items.push([field, [...this.tag(field, 2), ...this.v(BigInt(b.length)), ...b]]);
  }
  string(field: number, s: string, isDefault = false): void {
    this.bytes(field, Buffer.from(s, 'utf8'), isDefault);
  }
  /** A singular scalar: with decoys, earlier occurrences of other values precede the real one. */
  singular(field: number, write: (c: this) => void, decoy: (c: this) => void): void {
    if (this.style.decoys) for (let i = int(this.rng, 3); i > 0; i--) decoy(this);
    write(this);
  }
  unknownFields(maxField: number): void {
    if (!this.style.unknown) return;
    for (let i = int(this.rng, 4); i > 0; i--) {
      const field = maxField + 1 + int(this.rng, chance(this.rng, 0.2) ? 100000 : 20);
      const wt = pick(this.rng, [0, 1, 2, 3, 5]);
      const body: number[] = [];
      switch (wt) {
        case 0: body.push(...this.v(BigInt.asUintN(64, BigInt(int(this.rng, 2 ** 31)) * BigInt(int(this.rng, 2 ** 31))))); break;
        case 1: body.push(...bytesOf(this.rng, 8)); break;
        case 2: { const b = bytesOf(this.rng, int(this.rng, 20)); body.push(...this.v(BigInt(b.length)), ...b); break; }
        case 3: {
          // a group holding a varint and a nested group
          body.push(...this.tag(1, 0), ...this.v(7n), ...this.tag(2, 3), ...this.tag(3, 5), 1, 2, 3, 4, ...this.tag(2, 4), ...this.tag(field, 4));
          break;
        }
        case 5: body.push(...bytesOf(this.rng, 4)); break;
      }
      this.items.push([field, [...this.tag(field, wt), ...body]]);
    }
  }
  /** The message body: fields interleaved (order within a field kept), or in field order. */
  finish(): number[] {
    let order = this.items;
    if (this.style.shuffle) {
      const keyed = this.items.map((it) => ({ it, key: this.rng() }));
      keyed.sort((a, b) => a.key - b.key);
      // put each field's occurrences back in their original relative order
      const queues = new Map<number, [number, number[]][]>();
      for (const it of this.items) {
        const q = queues.get(it[0]) ?? [];
        q.push(it);
        queues.set(it[0], q);
      }
      order = keyed.map(({ it }) => queues.get(it[0])!.shift()!);
    }
    return order.flatMap(([, b]) => b);
  }
}

function float32le(x: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return [...b];
}

function encodeBatch(batch: Batch, rng: Rng, style: WireStyle): Uint8Array {
  const c = new Chunks(rng, style);
  c.singular(1, (w) => w.string(1, batch.providerId, batch.providerId === ''), (w) => w.string(1, 'decoy-provider'));
  c.singular(2, (w) => w.varint(2, batch.seq, batch.seq === 0n), (w) => w.varint(2, 999n));
  c.singular(3, (w) => w.bytes(3, batch.prevDigest, batch.prevDigest.length === 0), (w) => w.bytes(3, bytesOf(rng, 5)));
  c.singular(4, (w) => w.varint(4, batch.createdMs, batch.createdMs === 0n), (w) => w.varint(4, -5n));
  for (const r of batch.records) {
    const rc = new Chunks(rng, style);
    rc.singular(1, (w) => w.string(1, r.recordId, r.recordId === ''), (w) => w.string(1, 'decoy'));
    rc.singular(2, (w) => w.varint(2, r.epoch, r.epoch === 0), (w) => w.varint(2, 12345));
    rc.singular(3, (w) => w.varint(3, BigInt(r.kind), r.kind === 0), (w) => w.varint(3, 7));
    for (const t of r.tokens) {
      const tc = new Chunks(rng, style);
      tc.singular(1, (w) => w.varint(1, BigInt(t.kind), t.kind === 0), (w) => w.varint(1, 3));
      tc.singular(2, (w) => w.bytes(2, t.value, t.value.length === 0), (w) => w.bytes(2, bytesOf(rng, 32)));
      tc.unknownFields(2);
      rc.bytes(4, tc.finish());
    }
    if (r.template) {
      const parts = style.splitTemplate ? 1 + int(rng, 3) : 1;
      const bands = [...r.template.bands];
      const minhash = [...r.template.minhash];
      for (let p = 0; p < parts; p++) {
        const last = p === parts - 1;
        const nb = last ? bands.length : int(rng, bands.length + 1);
        const nm = last ? minhash.length : int(rng, minhash.length + 1);
        const sc = new Chunks(rng, style);
        for (const b of bands.splice(0, nb)) sc.bytes(1, b);
        let values = minhash.splice(0, nm);
        while (values.length > 0) {
          const mode = style.minhashMode === 2 ? int(rng, 2) : style.minhashMode;
          const n = style.minhashMode === 2 ? 1 + int(rng, values.length) : values.length;
          const chunk = values.slice(0, n);
          values = values.slice(n);
          if (mode === 0) sc.bytes(2, chunk.flatMap((v) => varintBytes(BigInt(v), rng, style.overlong)));
          else for (const v of chunk) sc.varint(2, v);
        }
        sc.unknownFields(2);
        rc.bytes(5, sc.finish());
      }
    }
    for (const l of r.labels) rc.string(6, l);
    rc.singular(7, (w) => w.fixed32(7, float32le(r.score), Object.is(r.score, 0)), (w) => w.fixed32(7, float32le(0.25)));
    rc.singular(8, (w) => w.varint(8, r.firstSeenMs, r.firstSeenMs === 0n), (w) => w.varint(8, 1n));
    rc.singular(9, (w) => w.varint(9, r.lastSeenMs, r.lastSeenMs === 0n), (w) => w.varint(9, 1n));
    rc.singular(10, (w) => w.varint(10, r.expiresMs, r.expiresMs === 0n), (w) => w.varint(10, -1n));
    rc.unknownFields(10);
    c.bytes(5, rc.finish());
  }
  for (const x of batch.retractions) {
    const xc = new Chunks(rng, style);
    xc.singular(1, (w) => w.string(1, x.recordId, x.recordId === ''), (w) => w.string(1, 'decoy'));
    xc.singular(2, (w) => w.string(2, x.reason, x.reason === ''), (w) => w.string(2, 'decoy reason'));
    xc.unknownFields(2);
    c.bytes(6, xc.finish());
  }
  c.unknownFields(6);
  return Uint8Array.from(c.finish());
}

// ---------- random batches, mostly valid, with every kind of content problem now and then ----------

const ID_CHARS = 'ABCXYZabcxyz0189._:-';
const LABEL_CHARS = 'abcz0189_.:-';

/**
 * Random batches. A clean batch follows every rule (unless the generator's
 * ordinary ranges collide, e.g. a duplicate id); a noisy one breaks rules now
 * and then, at every level.
 */
function randomBatch(rng: Rng, maxRecords = 12, noisy = chance(rng, 0.5)): Batch {
  const bad = (p: number): boolean => noisy && chance(rng, p);
  const randomId = (used: string[]): string => {
    if (bad(0.02) && used.length > 0) return pick(rng, used); // duplicate
    if (bad(0.05)) return pick(rng, ['', 'x'.repeat(129), 'bad id', 'héllo', 'y'.repeat(128)]);
    return `${Array.from({ length: 1 + int(rng, 12) }, () => pick(rng, [...ID_CHARS])).join('')}${used.length}`;
  };
  const randomLabel = (): string => {
    if (bad(0.05)) return pick(rng, ['', 'UPPER', 'l'.repeat(65), 'ümlaut', 'l'.repeat(64)]);
    return Array.from({ length: 1 + int(rng, 10) }, () => pick(rng, [...LABEL_CHARS])).join('');
  };
  const randomTime = (base: number): bigint => {
    if (bad(0.05)) {
      return pick(rng, [
        BigInt(MAX_TIME_MS) + BigInt(int(rng, 3)) - 1n,
        BigInt(MIN_TIME_MS) + BigInt(int(rng, 3)) - 1n,
        1n << BigInt(53 + int(rng, 10)),
        -(1n << BigInt(40 + int(rng, 23))),
      ]);
    }
    if (chance(rng, 0.03)) return BigInt(9e12 + int(rng, 1e12)); // valid, beyond the timestamp encoder's float fast path
    return BigInt(base);
  };
  const records = [];
  const used: string[] = [];
  const nRecords = chance(rng, 0.05) ? 0 : int(rng, maxRecords + 1);
  for (let i = 0; i < nRecords; i++) {
    const recordId = randomId(used);
    used.push(recordId);
    const kind = bad(0.03) ? pick(rng, [0, 3, -1, 2 ** 31 - 1]) : pick(rng, [RecordKind.ACCOUNT, RecordKind.ACCOUNT, RecordKind.TEMPLATE]);
    const nTokens = bad(0.01) ? 65 : kind === RecordKind.TEMPLATE ? int(rng, 2) : bad(0.03) ? 0 : 1 + int(rng, 6);
    const tokens = Array.from({ length: nTokens }, () => ({
      kind: bad(0.02) ? pick(rng, [0, 10, -3]) : 1 + int(rng, 9),
      value: bytesOf(rng, bad(0.02) ? pick(rng, [0, 31, 33]) : 32),
    }));
    const withTemplate = kind === RecordKind.TEMPLATE ? !bad(0.05) : chance(rng, 0.1);
    const template = withTemplate
      ? {
          bands: Array.from({ length: int(rng, 5) }, () => bytesOf(rng, pick(rng, [0, 8, 16, 100]))),
          minhash: bad(0.05) ? [] : Array.from({ length: 1 + int(rng, 40) }, () => pick(rng, [0, 1, 127, 128, 2 ** 31, 2 ** 32 - 1, int(rng, 2 ** 32)])),
        }
      : undefined;
    const labels = Array.from({ length: bad(0.01) ? 33 : chance(rng, 0.02) ? 32 : int(rng, 4) }, () => randomLabel());
    const score = bad(0.05) ? pick(rng, [1.5, -0.1, NaN, Infinity]) : chance(rng, 0.1) ? pick(rng, [0, -0, 1]) : Math.fround(rng());
    const first = NOW - int(rng, 1e9);
    const last = bad(0.03) ? first - 1 : first + int(rng, 1e6);
    const expires = bad(0.03) ? pick(rng, [0, -1, last - 1]) : last + int(rng, 1e9);
    const firstSeenMs = randomTime(first);
    const lastSeenMs = firstSeenMs > BigInt(last) && !noisy ? firstSeenMs : randomTime(last);
    const expiresMs = lastSeenMs > BigInt(expires) && !noisy ? lastSeenMs : randomTime(expires);
    records.push({
      recordId,
      epoch: bad(0.03) ? pick(rng, [2 ** 31, 2 ** 32 - 1]) : chance(rng, 0.02) ? 2 ** 31 - 1 : int(rng, 1000),
      kind,
      tokens,
      template,
      labels,
      score,
      firstSeenMs,
      lastSeenMs,
      expiresMs,
    });
  }
  const retractions = Array.from({ length: chance(rng, 0.7) ? int(rng, 3) : int(rng, 6) }, () => ({
    recordId: randomId([]),
    reason: bad(0.1) ? pick(rng, ['r'.repeat(257), '😀'.repeat(129)]) : pick(rng, ['', 'false positive', 'dup', 'ümlaut ok', 'r'.repeat(256), '😀'.repeat(128)]),
  }));
  return create(BatchSchema, {
    providerId: chance(rng, 0.9) ? pick(rng, ['p1', 'provider-a', 'acme']) : pick(rng, ['', 'prövider', '\uFEFFbom', '0'.repeat(200)]),
    seq: bad(0.05) ? pick(rng, [0n, 1n << 63n, (1n << 64n) - 1n]) : chance(rng, 0.02) ? (1n << 63n) - 1n : BigInt(1 + int(rng, 1000)),
    prevDigest: bytesOf(rng, bad(0.03) ? pick(rng, [0, 31, 33]) : 32),
    createdMs: BigInt(bad(0.05) ? NOW + pick(rng, [MAX_CLOCK_SKEW_MS + 1000, -MAX_CLOCK_SKEW_MS - 1000, -NOW]) : NOW + int(rng, 1000)),
    records,
    retractions,
  });
}

function randomStyle(rng: Rng): WireStyle {
  return {
    shuffle: chance(rng, 0.5),
    unknown: chance(rng, 0.4),
    decoys: chance(rng, 0.3),
    overlong: chance(rng, 0.3),
    explicitDefaults: chance(rng, 0.3),
    splitTemplate: chance(rng, 0.4),
    minhashMode: pick(rng, [0, 1, 2] as const),
  };
}

// ---------- an independent, schema-driven strict well-formedness check ----------

/**
 * Whether `bytes` is strictly well-formed protobuf for `desc`, driven by the
 * generated descriptors (not by the decoder's field tables): every field's
 * wire type matches its declaration (repeated numeric: also packed), every
 * field ends within its message, varints ≤ 10 bytes, lengths < 2^32, tags fit
 * uint32, unknown groups match and nest ≤ 64 deep, strings are UTF-8.
 */
function strictlyWellFormed(bytes: Uint8Array, desc: DescMessage): boolean {
  let pos = 0;
  /** A varint's value (exact below 2^53, which is all the checks need), or undefined if malformed. */
  const varint = (end: number): number | undefined => {
    let v = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) return undefined;
      const b = bytes[pos++]!;
      v += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) return v;
    }
    return undefined;
  };
  const tag = (end: number): [number, number] | undefined => {
    const start = pos;
    const t = varint(end);
    if (t === undefined || pos - start > 5 || t > 0xffffffff) return undefined;
    const field = Math.floor(t / 8);
    const wt = t % 8;
    return field === 0 || wt > 5 ? undefined : [field, wt];
  };
  const len = (end: number): number | undefined => {
    const n = varint(end);
    if (n === undefined || n > 0xffffffff || n > end - pos) return undefined;
    return n;
  };
  const skip = (field: number, wt: number, end: number, depth: number): boolean => {
    switch (wt) {
      case 0: return varint(end) !== undefined;
      case 1: if (end - pos < 8) return false; pos += 8; return true;
      case 5: if (end - pos < 4) return false; pos += 4; return true;
      case 2: { const n = len(end); if (n === undefined) return false; pos += n; return true; }
      case 3: {
        if (depth >= 64) return false;
        for (;;) {
          if (pos >= end) return false;
          const t = tag(end);
          if (!t) return false;
          if (t[1] === 4) return t[0] === field;
          if (!skip(t[0], t[1], end, depth + 1)) return false;
        }
      }
      default: return false;
    }
  };
  const scalarWireType = (t: ScalarType): number => {
    switch (t) {
      case ScalarType.DOUBLE: case ScalarType.FIXED64: case ScalarType.SFIXED64: return 1;
      case ScalarType.FLOAT: case ScalarType.FIXED32: case ScalarType.SFIXED32: return 5;
      case ScalarType.STRING: case ScalarType.BYTES: return 2;
      default: return 0;
    }
  };
  const value = (f: DescField, wt: number, end: number): boolean => {
    let message: DescMessage | undefined;
    let scalar: ScalarType | undefined;
    let repeated = false;
    switch (f.fieldKind) {
      case 'message': message = f.message; break;
      case 'scalar': scalar = f.scalar; break;
      case 'enum': scalar = ScalarType.INT32; break;
      case 'list':
        repeated = true;
        if (f.listKind === 'message') message = f.message;
        else scalar = f.listKind === 'enum' ? ScalarType.INT32 : f.scalar;
        break;
      default: return false;
    }
    if (message) {
      if (wt !== 2) return false;
      const n = len(end);
      return n !== undefined && msg(message, pos + n);
    }
    const expected = scalarWireType(scalar!);
    if (wt === expected) {
      if (expected !== 2) return skip(f.number, wt, end, 0);
      const n = len(end);
      if (n === undefined) return false;
      const ok = scalar !== ScalarType.STRING || isUtf8(bytes.subarray(pos, pos + n));
      pos += n;
      return ok;
    }
    if (repeated && expected !== 2 && wt === 2) {
      const n = len(end);
      if (n === undefined) return false;
      const packedEnd = pos + n;
      while (pos < packedEnd) if (!skip(f.number, expected, packedEnd, 0)) return false;
      return true;
    }
    return false;
  };
  const msg = (d: DescMessage, end: number): boolean => {
    while (pos < end) {
      const t = tag(end);
      if (!t) return false;
      const f = d.fields.find((x) => x.number === t[0]);
      if (!(f ? value(f, t[1], end) : skip(t[0], t[1], end, 0))) return false;
    }
    return pos === end;
  };
  return msg(desc, bytes.length);
}

// ---------- the oracle ----------

type Outcome =
  | { ok: true; decoded: DecodedBatch }
  | { ok: false; code: string; message: string; wire: boolean };

interface Opts { checkSkew: boolean; now?: number }

/** The reference: fromBinary → validateBatch → recordRows, with the decoder's result shape. */
function reference(bytes: Uint8Array, opts: Opts): Outcome {
  let batch: Batch;
  try {
    batch = fromBinary(BatchSchema, bytes);
  } catch (err) {
    return { ok: false, code: 'INVALID_INPUT', message: (err as Error).message, wire: true };
  }
  try {
    validateBatch(batch, WHERE, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(CordonError);
    return { ok: false, code: (err as CordonError).code, message: (err as Error).message, wire: false };
  }
  return {
    ok: true,
    decoded: {
      providerId: batch.providerId,
      seq: batch.seq,
      prevDigest: batch.prevDigest,
      createdMs: batch.createdMs,
      recordCount: batch.records.length,
      retractionCount: batch.retractions.length,
      recordIds: batch.records.map((r) => r.recordId),
      retractions: batch.retractions.map((r) => ({ recordId: r.recordId, reason: r.reason })),
      recordRows: recordRows(batch),
    },
  };
}

function decoder(bytes: Uint8Array, opts: Opts): Outcome {
  try {
    return { ok: true, decoded: decodeBatchForCommit(bytes, WHERE, opts) };
  } catch (err) {
    // The decoder's contract: nothing but CordonError INVALID_INPUT escapes.
    if (!(err instanceof CordonError) || err.code !== 'INVALID_INPUT') throw new Error(`decoder threw a non-INVALID_INPUT error: ${String(err)}`, { cause: err });
    return { ok: false, code: err.code, message: err.message, wire: err.message.startsWith(`${WHERE}: not a valid cordon.v1.Batch (`) };
  }
}

function sameDecoded(a: DecodedBatch, b: DecodedBatch): void {
  expect(a.providerId).toBe(b.providerId);
  expect(a.seq).toBe(b.seq);
  expect(Buffer.from(a.prevDigest).equals(Buffer.from(b.prevDigest))).toBe(true);
  expect(a.createdMs).toBe(b.createdMs);
  expect(a.recordCount).toBe(b.recordCount);
  expect(a.retractionCount).toBe(b.retractionCount);
  expect(a.recordIds).toEqual(b.recordIds);
  expect(a.retractions).toEqual(b.retractions);
  expect(a.recordRows.equals(b.recordRows)).toBe(true);
}

const tally = { bothOk: 0, sameProblem: 0, bothWire: 0, stricter: 0 };

/**
 * Compares the decoder with the reference on one input:
 * - strictly well-formed bytes (see strictlyWellFormed): the two agree exactly
 *   (same result, or the same content message, or both refuse the wire);
 * - anything else: the decoder refuses it as malformed (INVALID_INPUT), also
 *   where protobuf-es leniently reads it (wrong wire types, fields running past
 *   their message, …).
 * `generated` inputs come from an encoder and must be strictly well-formed.
 */
function check(bytes: Uint8Array, opts: Opts, generated: boolean): Outcome {
  const strict = strictlyWellFormed(bytes, BatchSchema);
  if (generated) expect(strict, 'the test encoder produced malformed bytes').toBe(true);
  const ref = reference(bytes, opts);
  const got = decoder(bytes, opts);
  if (!strict) {
    expect(got.ok, 'the decoder accepted malformed bytes').toBe(false);
    if (!got.ok) expect(got.wire, got.message).toBe(true);
    if (ref.ok || !ref.wire) tally.stricter++;
    else tally.bothWire++;
  } else if (ref.ok) {
    expect(got.ok, got.ok ? '' : got.message).toBe(true);
    if (got.ok) sameDecoded(got.decoded, ref.decoded);
    tally.bothOk++;
  } else if (!ref.wire) {
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.message).toBe(ref.message);
    tally.sameProblem++;
  } else {
    expect(got.ok, `the decoder accepted bytes protobuf-es refuses (${ref.message})`).toBe(false);
    if (!got.ok) expect(got.wire, `protobuf-es: ${ref.message}; decoder: ${got.message}`).toBe(true);
    tally.bothWire++;
  }
  return got;
}

// ---------- tests ----------

describe('decodeBatchForCommit', () => {
  it('agrees with fromBinary + validateBatch + recordRows on generated batches and wire variations', () => {
    const rng = mulberry32(0xc0d0);
    let accepted = 0;
    for (let i = 0; i < 1000; i++) {
      const batch = randomBatch(rng);
      const canonical = toBinary(BatchSchema, batch);
      const opts: Opts = chance(rng, 0.5) ? { checkSkew: true, now: NOW } : { checkSkew: false };
      if (check(canonical, opts, true).ok) accepted++;
      check(encodeBatch(batch, rng, randomStyle(rng)), opts, true);
    }
    // Both outcomes are well represented.
    expect(accepted).toBeGreaterThan(300);
    expect(tally.sameProblem).toBeGreaterThan(300);
  });

  it('agrees on every content rule, one problem at a time', () => {
    const base = (): Batch => create(BatchSchema, {
      providerId: 'p1', seq: 3n, prevDigest: new Uint8Array(32), createdMs: BigInt(NOW),
      records: makeRecords(3, 'r', 2, NOW), retractions: [{ recordId: 'old-1', reason: 'fp' }],
    });
    const cases: [string, (b: Batch) => void][] = [
      ['seq: must be ≥ 1', (b) => { b.seq = 0n; }],
      ['seq: must be at most', (b) => { b.seq = 1n << 63n; }],
      ['prev_digest: must be 32 bytes', (b) => { b.prevDigest = new Uint8Array(31); }],
      ['records: a batch must carry', (b) => { b.records = []; b.retractions = []; }],
      ['created_ms: is', (b) => { b.createdMs = BigInt(NOW + MAX_CLOCK_SKEW_MS + 1); }],
      ['records[1].record_id: must be', (b) => { b.records[1]!.recordId = 'a b'; }],
      ["records[2].record_id: 'r-0' appears twice", (b) => { b.records[2]!.recordId = 'r-0'; }],
      ['records[0].kind: must be ACCOUNT or TEMPLATE', (b) => { b.records[0]!.kind = 7 as RecordKind; }],
      ['records[0].epoch: at most 2147483647', (b) => { b.records[0]!.epoch = 2 ** 31; }],
      ['records[0].tokens: at most 64', (b) => { b.records[0]!.tokens = Array.from({ length: 65 }, () => b.records[1]!.tokens[0]!); }],
      ['records[0].tokens: an account record needs', (b) => { b.records[0]!.tokens = []; }],
      ['records[1].tokens[1].kind: unknown token kind', (b) => { b.records[1]!.tokens[1]!.kind = 10 as TokenKind; }],
      ['records[1].tokens[0].value: must be 32 bytes', (b) => { b.records[1]!.tokens[0]!.value = new Uint8Array(33); }],
      ['records[2].template: a template record needs a signature', (b) => { b.records[2]!.kind = RecordKind.TEMPLATE; b.records[2]!.tokens = []; }],
      ['records[0].labels: at most 32', (b) => { b.records[0]!.labels = Array.from({ length: 33 }, () => 'x'); }],
      ['records[0].labels[1]: must be', (b) => { b.records[0]!.labels[1] = 'X'; }],
      ['records[0].score: must be in [0, 1]', (b) => { b.records[0]!.score = NaN; }],
      ['records[0].expires_ms: is mandatory', (b) => { b.records[0]!.expiresMs = 0n; }],
      ['records[0].first_seen_ms: must be between', (b) => { b.records[0]!.firstSeenMs = BigInt(MIN_TIME_MS) - 1n; }],
      ['records[0].expires_ms: must be between', (b) => { b.records[0]!.expiresMs = 1n << 62n; }],
      ['records[0].first_seen_ms: is after last_seen_ms', (b) => { b.records[0]!.firstSeenMs = b.records[0]!.lastSeenMs + 1n; }],
      ['records[0].expires_ms: is before last_seen_ms', (b) => { b.records[0]!.expiresMs = b.records[0]!.lastSeenMs - 1n; }],
      ['retractions[0].record_id: must be', (b) => { b.retractions[0]!.recordId = ''; }],
      ['retractions[0].reason: at most 256 characters', (b) => { b.retractions[0]!.reason = 'é'.repeat(257); }],
    ];
    for (const [expected, mutate] of cases) {
      const b = base();
      mutate(b);
      const bytes = toBinary(BatchSchema, b);
      const got = check(bytes, { checkSkew: true, now: NOW }, true);
      expect(got.ok).toBe(false);
      if (!got.ok) expect(got.message).toContain(`${WHERE}: ${expected}`);
    }
    // A record problem is reported before a retraction problem, even when the retraction comes first on the wire.
    const b = base();
    b.records[2]!.labels = ['BAD'];
    b.retractions[0]!.recordId = '';
    const bytes = toBinary(BatchSchema, b);
    const retractionFirst = Buffer.concat([Buffer.from([0x32, 2, 0x0a, 0]), Buffer.from(bytes)]);
    const got = check(retractionFirst, { checkSkew: false }, true);
    expect(!got.ok && got.message).toBe(`${WHERE}: records[2].labels[0]: must be 1–64 chars of a-z 0-9 _ . : -`);
  });

  it('equals the reference on a full-size batch (5,000 records × 5 tokens)', () => {
    const batch = create(BatchSchema, { providerId: 'p1', seq: 9n, prevDigest: new Uint8Array(32).fill(7), createdMs: BigInt(NOW), records: makeRecords(5000, 'r', 5, NOW) });
    const bytes = toBinary(BatchSchema, batch);
    const got = check(bytes, { checkSkew: true, now: NOW }, true);
    expect(got.ok && got.decoded.recordIds.length).toBe(5000);
  });

  it('handles every truncation of small batches (never anything but INVALID_INPUT, never accepts what protobuf-es refuses)', () => {
    const rng = mulberry32(7);
    for (let k = 0; k < 12; k++) {
      const batch = randomBatch(rng, 3);
      const bytes = k % 2 === 0 ? toBinary(BatchSchema, batch) : encodeBatch(batch, rng, randomStyle(rng));
      for (let n = 0; n <= bytes.length; n++) check(bytes.subarray(0, n), { checkSkew: false }, false);
    }
  });

  it('handles every single-bit flip and random byte corruption of small batches', () => {
    const rng = mulberry32(11);
    for (let k = 0; k < 4; k++) {
      const batch = randomBatch(rng, 2);
      const bytes = k % 2 === 0 ? toBinary(BatchSchema, batch) : encodeBatch(batch, rng, randomStyle(rng));
      for (let i = 0; i < bytes.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const corrupt = Uint8Array.from(bytes);
          corrupt[i]! ^= 1 << bit;
          check(corrupt, { checkSkew: false }, false);
        }
      }
      for (let r = 0; r < 1000; r++) {
        const corrupt = Uint8Array.from(bytes);
        for (let j = 1 + int(rng, 4); j > 0; j--) corrupt[int(rng, corrupt.length)] = int(rng, 256);
        check(corrupt, { checkSkew: false }, false);
      }
    }
    for (let r = 0; r < 3000; r++) check(bytesOf(rng, int(rng, 64)), { checkSkew: false }, false);
    expect(tally.stricter).toBeGreaterThan(0);
    expect(tally.bothWire).toBeGreaterThan(0);
  });

  it('refuses malformed wire data with a clear reason, where protobuf-es is lenient too', () => {
    const valid = toBinary(BatchSchema, create(BatchSchema, { providerId: 'p1', seq: 1n, prevDigest: new Uint8Array(32), createdMs: BigInt(NOW), records: makeRecords(1, 'r', 1, NOW) }));
    const refuse = (bytes: Uint8Array | number[], reason: RegExp): void => {
      const got = decoder(Uint8Array.from(bytes), { checkSkew: false });
      expect(got.ok).toBe(false);
      if (!got.ok) {
        expect(got.message.startsWith(`${WHERE}: not a valid cordon.v1.Batch (`)).toBe(true);
        expect(got.message).toMatch(reason);
      }
    };
    refuse([0x10, 0x80], /truncated varint at byte 2/);
    refuse([0x10, ...Array(10).fill(0xff), 0x01], /varint longer than 10 bytes/);
    refuse([0xf8, 0x7f, ...Array(10).fill(0xff), 0x01], /varint longer than 10 bytes/); // in an unknown field too
    refuse([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], /length 4294967295 runs past the end/);
    refuse([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /length does not fit in 32 bits/);
    refuse([0x0a, 2, 0xc3, 0x28], /provider_id|not valid UTF-8/);
    refuse([0x15, 0, 0, 0, 0], /field seq \(2\) has wire type i32/);
    refuse([0x00, 0x01], /field number 0/);
    refuse([0x0e], /invalid wire type 6/);
    refuse([0x7c], /unexpected end-group 15/); // an unknown field's end-group without a start
    refuse([0x0c], /field provider_id \(1\) has wire type end-group/);
    refuse([0xfb, 0x01, 0x0c], /group 31 ended by end-group 1/);
    refuse([0xfb, 0x01], /unterminated group 31/);
    refuse([0x80, 0x80, 0x80, 0x80, 0x10], /tag does not fit in uint32/);
    // Deeply nested unknown groups: refused, no stack overflow, no hang.
    refuse(Array(100_000).fill(0xfb).flatMap((b: number) => [b, 0x01]), /groups nested too deeply/);
    // A record whose last field runs past the record's end (protobuf-es reads on into the parent).
    const record = [0x0a, 0x01, 0x61, 0x12, 0x03]; // record_id 'a', then field 2 claims 3 bytes
    refuse([0x2a, record.length, ...record, 0x10, 0x01], /records\[0\]: field epoch \(2\) has wire type len/);
    // Wrong wire type for declared fields, which protobuf-es reads as if right.
    const scoreAsVarint = [0x2a, 0x05, 0x38, 0x01, 0x00, 0x00, 0x00];
    expect(() => fromBinary(BatchSchema, Uint8Array.from(scoreAsVarint))).not.toThrow();
    refuse(scoreAsVarint, /records\[0\]: field score \(7\) has wire type varint/);
    refuse([0x2a, 0x04, 0x22, 0x02, 0x0d, 0x00], /records\[0\]\.tokens\[0\]: (field kind \(1\) has wire type i32|truncated)/);
    refuse([0x2a, 0x03, 0x2a, 0x01, 0x15], /records\[0\]\.template: (field minhash \(2\) has wire type i32|truncated)/);
    // The valid batch still decodes, and every prefix of it is handled.
    expect(decoder(valid, { checkSkew: false }).ok).toBe(true);
    // A huge announced length allocates nothing.
    refuse([0x2a, 0xff, 0xff, 0xff, 0xff, 0x07], /runs past the end/);
  });

  it('reads packed, unpacked and split template signatures, last-one-wins scalars and merged templates like protobuf-es', () => {
    const rng = mulberry32(99);
    const batch = create(BatchSchema, {
      providerId: 'p1', seq: 2n, prevDigest: new Uint8Array(32), createdMs: BigInt(NOW),
      records: [{
        recordId: 'tpl-1', epoch: 4, kind: RecordKind.TEMPLATE, labels: ['template_reuse'], score: 0.5,
        template: { bands: [bytesOf(rng, 16), bytesOf(rng, 16), bytesOf(rng, 16)], minhash: [1, 2 ** 32 - 1, 300, 0, 7, 2 ** 31] },
        firstSeenMs: BigInt(NOW - 10), lastSeenMs: BigInt(NOW), expiresMs: BigInt(NOW + 10),
      }],
    });
    for (const minhashMode of [0, 1, 2] as const) {
      for (let i = 0; i < 30; i++) {
        const style: WireStyle = { shuffle: true, unknown: true, decoys: true, overlong: true, explicitDefaults: true, splitTemplate: true, minhashMode };
        const got = check(encodeBatch(batch, rng, style), { checkSkew: false }, true);
        expect(got.ok).toBe(true);
      }
    }
    // A template with bands but no minhash: no signature (NULL columns), and a template record needs one.
    const noMinhash = create(BatchSchema, {
      providerId: 'p1', seq: 2n, prevDigest: new Uint8Array(32), createdMs: BigInt(NOW),
      records: [{ ...makeRecords(1, 'x', 1, NOW)[0]!, template: create(TemplateSignatureSchema, { bands: [new Uint8Array(4)], minhash: [] }) }],
    });
    expect(check(toBinary(BatchSchema, noMinhash), { checkSkew: false }, true).ok).toBe(true);
  });

  it('checks the signer and words content problems with validationWhere, in verifySignedBatch order', () => {
    const batch = create(BatchSchema, { providerId: 'p1', seq: 5n, prevDigest: new Uint8Array(32), createdMs: BigInt(NOW), records: makeRecords(2, 'r', 1, NOW) });
    const bytes = toBinary(BatchSchema, batch);
    const where = (p: string, s: bigint): string => `batch ${p}#${s}`;
    const ok = decodeBatchForCommit(bytes, 'batch', { checkSkew: true, now: NOW, signer: 'p1', validationWhere: where });
    expect(ok.recordIds).toEqual(['r-0', 'r-1']);
    expect(() => decodeBatchForCommit(bytes, 'batch', { checkSkew: false, signer: 'p2' })).toThrow(
      expect.objectContaining({ code: 'PERMISSION_DENIED', message: "batch: provider_id 'p1' is not the signer 'p2'" }),
    );
    batch.records[1]!.score = 2;
    const invalid = toBinary(BatchSchema, batch);
    expect(() => decodeBatchForCommit(invalid, 'batch', { checkSkew: false, signer: 'p1', validationWhere: where })).toThrow('batch p1#5: records[1].score: must be in [0, 1]');
    // Wrong signer wins over content problems; malformed bytes win over both.
    expect(() => decodeBatchForCommit(invalid, 'batch', { checkSkew: false, signer: 'p2' })).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
    const malformed = Uint8Array.from([...invalid, 0x10]);
    expect(() => decodeBatchForCommit(malformed, 'batch', { checkSkew: false, signer: 'p2' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('not a valid cordon.v1.Batch') }));
  });

  it('grows the COPY buffer when rows outgrow the input (one-byte minhash values become four)', () => {
    const rng = mulberry32(5);
    for (const n of [1, 7, 300]) {
      const records = Array.from({ length: n }, (_, i) => ({
        recordId: `t-${i}`, epoch: 1, kind: RecordKind.TEMPLATE, score: 0.5,
        template: { bands: [bytesOf(rng, 3)], minhash: Array.from({ length: 1 + int(rng, 3000) }, () => int(rng, 128)) },
        firstSeenMs: BigInt(NOW), lastSeenMs: BigInt(NOW), expiresMs: BigInt(NOW + 1),
      }));
      const batch = create(BatchSchema, { providerId: 'p1', seq: 1n, prevDigest: new Uint8Array(32), createdMs: BigInt(NOW), records });
      const bytes = toBinary(BatchSchema, batch);
      const got = check(bytes, { checkSkew: false }, true);
      expect(got.ok && got.decoded.recordRows.length).toBeGreaterThan(bytes.length * 2);
    }
  });

  it('guards the COPY payload against a huge provider_id repeated on many rows', () => {
    const batch = create(BatchSchema, { providerId: 'p'.repeat(4000), seq: 1n, prevDigest: new Uint8Array(32), createdMs: BigInt(NOW), records: makeRecords(5000, 'r', 1, NOW) });
    expect(() => decodeBatchForCommit(toBinary(BatchSchema, batch), 'batch', { checkSkew: false })).toThrow(/provider_id: 4000 bytes repeated on 5000 rows/);
  });
});

describe('byte-level forms of RECORD_ID and LABEL', () => {
  it('agree with the regexes on every byte, at the length bounds, and on random strings', () => {
    const rng = mulberry32(3);
    const agree = (rule: typeof RECORD_ID_BYTES, re: RegExp, s: string): void => {
      const b = Buffer.from(s, 'utf8');
      expect(asciiRuleOk(rule, b, 0, b.length), JSON.stringify(s)).toBe(re.test(s));
    };
    for (const [rule, re] of [[RECORD_ID_BYTES, RECORD_ID], [LABEL_BYTES, LABEL]] as const) {
      for (let c = 0; c < 256; c++) {
        const ch = String.fromCharCode(c);
        agree(rule, re, ch);
        agree(rule, re, `a${ch}`);
        agree(rule, re, `${ch}a`);
      }
      for (const n of [0, 1, 63, 64, 65, 127, 128, 129]) agree(rule, re, 'a'.repeat(n));
      agree(rule, re, 'a\n');
      agree(rule, re, '😀');
      for (let i = 0; i < 2000; i++) agree(rule, re, Array.from({ length: int(rng, 140) }, () => String.fromCharCode(chance(rng, 0.9) ? 32 + int(rng, 95) : int(rng, 300))).join(''));
    }
  });
});
