/**
 * Encoder for PostgreSQL's binary COPY format (COPY ... FROM STDIN (FORMAT
 * binary)): no text escaping, no hex doubling of bytea, so bulk loads cost
 * little more than the bytes themselves.
 * Format: https://www.postgresql.org/docs/current/sql-copy.html (Binary Format).
 */
export const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01). */
export const PG_EPOCH_US = 946_684_800_000_000n;
/** pg_type oid of `text`: the element type of a text[] value. */
export const TEXT_OID = 25;

export type CopyValue =
  | { t: 'text'; v: string }
  | { t: 'int4'; v: number }
  | { t: 'int8'; v: bigint }
  | { t: 'int2'; v: number }
  | { t: 'float4'; v: number }
  | { t: 'bytea'; v: Uint8Array }
  | { t: 'timestamptz'; ms: number }
  | { t: 'text[]'; v: readonly string[] }
  | null;

/** Accumulates rows into one buffer; `finish()` returns the whole COPY stream. */
export class BinaryCopyWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, 64));
    this.raw(COPY_SIGNATURE);
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  row(values: readonly CopyValue[]): void {
    this.int16(values.length);
    for (const value of values) this.field(value);
  }

  finish(): Buffer {
    this.int16(-1);
    return this.buf.subarray(0, this.pos);
  }

  private field(value: CopyValue): void {
    if (value === null) return this.int32(-1);
    switch (value.t) {
      case 'text': {
        const len = Buffer.byteLength(value.v);
        this.int32(len);
        this.ensure(len);
        this.pos += this.buf.write(value.v, this.pos, 'utf8');
        return;
      }
      case 'int2':
        this.int32(2);
        return this.int16(value.v);
      case 'int4':
        this.int32(4);
        return this.int32(value.v);
      case 'int8':
        this.int32(8);
        this.ensure(8);
        this.buf.writeBigInt64BE(value.v, this.pos);
        this.pos += 8;
        return;
      case 'float4':
        this.int32(4);
        this.ensure(4);
        this.buf.writeFloatBE(value.v, this.pos);
        this.pos += 4;
        return;
      case 'bytea':
        this.int32(value.v.length);
        return this.raw(value.v);
      case 'timestamptz':
        this.int32(8);
        this.ensure(8);
        this.buf.writeBigInt64BE(BigInt(Math.round(value.ms)) * 1000n - PG_EPOCH_US, this.pos);
        this.pos += 8;
        return;
      case 'text[]':
        return this.textArray(value.v);
    }
  }

  private textArray(items: readonly string[]): void {
    const encoded = items.map((s) => Buffer.from(s, 'utf8'));
    const dims = items.length === 0 ? 0 : 1;
    const size = 12 + dims * 8 + encoded.reduce((n, b) => n + 4 + b.length, 0);
    this.int32(size);
    this.int32(dims);
    this.int32(0); // no nulls
    this.int32(TEXT_OID);
    if (dims) {
      this.int32(items.length);
      this.int32(1); // lower bound
      for (const b of encoded) {
        this.int32(b.length);
        this.raw(b);
      }
    }
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private int16(n: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(n, this.pos);
    this.pos += 2;
  }

  private int32(n: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
