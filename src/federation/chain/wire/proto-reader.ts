import { Buffer, isUtf8 } from 'node:buffer';

/**
 * The protobuf wire primitives of a hand-written reader (the encoding spec:
 * tags, varints, length prefixes, skipping unknown fields and groups), kept
 * strict where @bufbuild/protobuf is lenient: a varint longer than 10 bytes,
 * a length that does not fit in 32 bits or runs past the end of its enclosing
 * message, and groups nested over MAX_GROUP_DEPTH are refused. Every method
 * takes `end`, the end of the enclosing message. A subclass reads one message
 * type on top of these and says, in `fail`, where in that message it was.
 */
export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_START_GROUP = 3;
export const WT_END_GROUP = 4;
export const WT_I32 = 5;
const WIRE_TYPE_NAMES = ['varint', 'i64', 'len', 'start-group', 'end-group', 'i32'];
/** How deep unknown groups may nest. */
export const MAX_GROUP_DEPTH = 64;

/** The tag of a field: its number and wire type. */
export const fieldTag = (field: number, wireType: number): number => (field << 3) | wireType;

/** Node's Buffer has a latin1Slice that TypeScript's types do not declare; ASCII text reads fastest through it. */
export type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

export abstract class ProtoReader {
  protected readonly buf: Latin1Buffer;
  protected pos = 0;
  // The last varint64 read.
  protected lo = 0;
  protected hi = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Latin1Buffer;
  }

  /** Throws the reader's error for malformed wire data at `this.pos`. */
  protected abstract fail(what: string): never;

  /** A field tag, checked like protobuf does (uint32, field ≥ 1, wire type ≤ 5). */
  protected tag(end: number): number {
    const buf = this.buf;
    const p = this.pos;
    let t = buf[p]!; // p < end: callers loop while pos < end
    if (t < 0x80) {
      this.pos = p + 1;
    } else {
      t &= 0x7f;
      let q = p + 1;
      for (let shift = 7; ; shift += 7) {
        if (q >= end) { this.pos = q; this.fail('truncated tag'); }
        const b = buf[q++]!;
        if (shift === 28) {
          if (b > 0x0f) { this.pos = p; this.fail('tag does not fit in uint32'); }
          t = (t | (b << 28)) >>> 0;
          break;
        }
        t |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      this.pos = q;
    }
    if (t >>> 3 === 0) { this.pos = p; this.fail('field number 0'); }
    if ((t & 7) > 5) { this.pos = p; this.fail(`invalid wire type ${t & 7}`); }
    return t;
  }

  /** A varint field's low 32 bits, unsigned (uint32; `| 0` gives int32/enum), as protobuf truncates. */
  protected uint32(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    if (p < end) {
      const b = buf[p]!;
      if (b < 0x80) { this.pos = p + 1; return b; }
    }
    let v = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= end) { this.pos = p; this.fail('truncated varint'); }
      const b = buf[p++]!;
      if (i < 5) v |= (b & 0x7f) << (7 * i);
      if (b < 0x80) { this.pos = p; return v >>> 0; }
    }
    this.pos = p;
    return this.fail('varint longer than 10 bytes');
  }

  /** A 64-bit varint into this.lo (uint32) and this.hi (int32), as protobuf reads int64/uint64. */
  protected varint64(end: number): void {
    const buf = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) { this.pos = p; this.fail('truncated varint'); }
      b = buf[p++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) { this.pos = p; this.lo = lo >>> 0; this.hi = 0; return; }
    }
    if (p >= end) { this.pos = p; this.fail('truncated varint'); }
    b = buf[p++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x70) >> 4;
    if (b < 0x80) { this.pos = p; this.lo = lo >>> 0; this.hi = hi; return; }
    for (let shift = 3; shift <= 31; shift += 7) {
      if (p >= end) { this.pos = p; this.fail('truncated varint'); }
      b = buf[p++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) { this.pos = p; this.lo = lo >>> 0; this.hi = hi | 0; return; }
    }
    this.pos = p;
    this.fail('varint longer than 10 bytes');
  }

  /** A length prefix; the bytes it announces must lie within the enclosing message. */
  protected len(end: number): number {
    const start = this.pos;
    let n: number;
    const b = start < end ? this.buf[start]! : 0x80;
    if (b < 0x80) {
      this.pos = start + 1;
      n = b;
    } else {
      this.varint64(end);
      if (this.hi !== 0) { this.pos = start; this.fail('length does not fit in 32 bits'); }
      n = this.lo;
    }
    const left = end - this.pos;
    if (n > left) { this.pos = start; this.fail(`length ${n} runs past the end of the enclosing message (${left} bytes left)`); }
    return n;
  }

  /** Rejects bytes[start, end) unless it is valid UTF-8 (proto3 strings must be). */
  protected utf8(start: number, end: number): void {
    const buf = this.buf;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        if (!isUtf8(buf.subarray(start, end))) { this.pos = start; this.fail('string is not valid UTF-8'); }
        return;
      }
    }
  }

  /** A string already checked by utf8(). */
  protected text(start: number, length: number): string {
    const buf = this.buf;
    const end = start + length;
    for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return buf.toString('utf8', start, end);
    return buf.latin1Slice(start, end);
  }

  /** A field the switch did not take: a declared field with the wrong wire type (rejected), or an unknown one (skipped). */
  protected other(t: number, end: number, fields: readonly (string | undefined)[]): void {
    const field = t >>> 3;
    if (field < fields.length && fields[field] !== undefined) {
      this.fail(`field ${fields[field]} (${field}) has wire type ${WIRE_TYPE_NAMES[t & 7]}`);
    }
    this.skip(t, end, 0);
  }

  /** Skips the value of an unknown field whose tag `t` was just read. */
  protected skip(t: number, end: number, depth: number): void {
    switch (t & 7) {
      case WT_VARINT:
        this.varint64(end);
        return;
      case WT_I64:
        if (end - this.pos < 8) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WT_LEN: {
        const n = this.len(end);
        this.pos += n;
        return;
      }
      case WT_I32:
        if (end - this.pos < 4) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      case WT_START_GROUP: {
        if (depth >= MAX_GROUP_DEPTH) this.fail('groups nested too deeply');
        for (;;) {
          if (this.pos >= end) this.fail(`unterminated group ${t >>> 3}`);
          const u = this.tag(end);
          if ((u & 7) === WT_END_GROUP) {
            if (u >>> 3 !== t >>> 3) this.fail(`group ${t >>> 3} ended by end-group ${u >>> 3}`);
            return;
          }
          this.skip(u, end, depth + 1);
        }
      }
      default:
        this.fail(`unexpected end-group ${t >>> 3}`);
    }
  }
}
