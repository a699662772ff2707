import { CordonError } from '../errors.js';

/**
 * A minimal reader of an accepted cordon.v1.Batch for the matcher: it takes
 * only the fields matching uses (records' id, epoch, kind, tokens, template,
 * expiry; retractions' ids) and steps over the rest. The bytes were fully
 * validated when the batch was accepted (federation/chain/batch-wire.ts), so
 * this reader only guards its bounds. @bufbuild/protobuf's reflective
 * fromBinary takes 60–300 ms for a 5,000-record batch; this takes a few.
 *
 * Field numbers: proto/cordon/v1/common.proto.
 */
export interface ReadRecord {
  recordId: string;
  epoch: number;
  kind: number;
  tokens: { kind: number; token: Uint8Array }[];
  /** Template signature (empty without one). */
  minhash: number[];
  bands: Uint8Array[];
  expiresMs: number;
}

export interface ReadBatch { records: ReadRecord[]; retractions: string[] }

const decoder = new TextDecoder();

class Reader {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw corrupt(this.pos);
      const b = this.buf[this.pos++]!;
      // Beyond 2^53 precision is lost; no field read here gets near it (ms timestamps, counts, enums).
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw corrupt(this.pos);
    }
  }

  /** [start, end) of a length-delimited field's bytes. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw corrupt(start);
    this.pos = start + len;
    return [start, start + len];
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0: this.varint(); return;
      case 1: this.pos += 8; break;
      case 2: this.span(); return;
      case 5: this.pos += 4; break;
      default: throw corrupt(this.pos);
    }
    if (this.pos > this.end) throw corrupt(this.pos);
  }
}

const corrupt = (at: number) => new CordonError('INTERNAL', `matcher: stored batch is not a valid cordon.v1.Batch (at byte ${at})`);

export function readBatch(bytes: Uint8Array): ReadBatch {
  const r = new Reader(bytes, 0, bytes.length);
  const out: ReadBatch = { records: [], retractions: [] };
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    if (field === 5 && (tag & 7) === 2) out.records.push(readRecord(bytes, ...r.span()));
    else if (field === 6 && (tag & 7) === 2) out.retractions.push(readRetraction(bytes, ...r.span()));
    else r.skip(tag & 7);
  }
  return out;
}

function readRecord(buf: Uint8Array, start: number, end: number): ReadRecord {
  const r = new Reader(buf, start, end);
  const rec: ReadRecord = { recordId: '', epoch: 0, kind: 0, tokens: [], minhash: [], bands: [], expiresMs: 0 };
  while (r.pos < r.end) {
    const tag = r.varint();
    const wire = tag & 7;
    switch (Math.floor(tag / 8)) {
      case 1: if (wire === 2) { const [s, e] = r.span(); rec.recordId = decoder.decode(buf.subarray(s, e)); continue; } break;
      case 2: if (wire === 0) { rec.epoch = r.varint() >>> 0; continue; } break;
      case 3: if (wire === 0) { rec.kind = r.varint() >>> 0; continue; } break;
      case 4: if (wire === 2) { rec.tokens.push(readToken(buf, ...r.span())); continue; } break;
      case 5: if (wire === 2) { readTemplate(buf, ...r.span(), rec); continue; } break;
      case 10: if (wire === 0) { rec.expiresMs = r.varint(); continue; } break;
    }
    r.skip(wire);
  }
  return rec;
}

function readToken(buf: Uint8Array, start: number, end: number): { kind: number; token: Uint8Array } {
  const r = new Reader(buf, start, end);
  const t: { kind: number; token: Uint8Array } = { kind: 0, token: new Uint8Array(0) };
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 8) t.kind = r.varint() >>> 0;
    else if (tag === 18) t.token = buf.subarray(...r.span());
    else r.skip(tag & 7);
  }
  return t;
}

function readTemplate(buf: Uint8Array, start: number, end: number, rec: ReadRecord): void {
  const r = new Reader(buf, start, end);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 10) rec.bands.push(buf.subarray(...r.span()));
    else if (tag === 18) {
      // Packed repeated uint32.
      const [s, e] = r.span();
      const p = new Reader(buf, s, e);
      while (p.pos < p.end) rec.minhash.push(p.varint() >>> 0);
    } else if (tag === 16) rec.minhash.push(r.varint() >>> 0);
    else r.skip(tag & 7);
  }
}

function readRetraction(buf: Uint8Array, start: number, end: number): string {
  const r = new Reader(buf, start, end);
  let id = '';
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 10) {
      const [s, e] = r.span();
      id = decoder.decode(buf.subarray(s, e));
    } else r.skip(tag & 7);
  }
  return id;
}
