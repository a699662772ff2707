import { buildFieldModule, FE_BYTES } from './field-code.js';

/**
 * GF(2^255 − 19) on the generated WebAssembly module (field-code.ts). Field
 * elements live in the module's memory; callers allocate slots (byte offsets)
 * and pass them to the operations, so nothing is allocated per operation.
 * One instance per thread; not shared.
 */
interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface Exports {
  memory: Memory;
  mul(h: number, f: number, g: number): void;
  sq(h: number, f: number): void;
  sqn(h: number, f: number, n: number): void;
  add(h: number, f: number, g: number): void;
  sub(h: number, f: number, g: number): void;
  frombytes(h: number, p: number): void;
  tobytes(p: number, h: number): void;
}

/** The slice of the WebAssembly JS API used here (the project's TypeScript lib has no DOM or WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
const INITIAL_PAGES = 16;
let compiled: object | undefined;

export class Field {
  readonly mul: Exports['mul'];
  readonly sq: Exports['sq'];
  readonly sqn: Exports['sqn'];
  readonly add: Exports['add'];
  readonly sub: Exports['sub'];
  private readonly x: Exports;
  private top = 0;
  /** A view of the module's memory, renewed whenever it grows. */
  private bytes: Uint8Array;
  /** 32-byte staging area for encoding and decoding. */
  readonly io: number;
  private readonly t: number[];

  constructor() {
    compiled ??= new wasm.Module(buildFieldModule(INITIAL_PAGES));
    this.x = new wasm.Instance(compiled).exports as Exports;
    this.bytes = new Uint8Array(this.x.memory.buffer);
    ({ mul: this.mul, sq: this.sq, sqn: this.sqn, add: this.add, sub: this.sub } = this.x);
    this.io = this.alloc(1);
    this.t = [this.alloc(1), this.alloc(1), this.alloc(1), this.alloc(1)];
  }

  /** Room for `count` elements; returns the first one's offset (the rest follow at FE_BYTES steps). */
  alloc(count: number): number {
    const at = this.top;
    this.top += count * FE_BYTES;
    const needed = Math.ceil(this.top / PAGE) - this.x.memory.buffer.byteLength / PAGE;
    if (needed > 0) {
      this.x.memory.grow(needed);
      // Growing detaches the old buffer: take a new view of the new one.
      this.bytes = new Uint8Array(this.x.memory.buffer);
    }
    return at;
  }

  /** h = the element encoded by 32 little-endian bytes (bit 255 ignored). */
  fromBytes(h: number, le: Uint8Array): void {
    this.bytes.set(le.subarray(0, 32), this.io);
    this.x.frombytes(h, this.io);
  }

  /** The canonical 32-byte little-endian encoding of h, written into `out` at `at`. */
  toBytes(h: number, out: Uint8Array, at = 0): void {
    this.x.tobytes(this.io, h);
    out.set(this.bytes.subarray(this.io, this.io + 32), at);
  }

  /** Whether two elements are equal (compares canonical encodings). */
  equal(f: number, g: number): boolean {
    this.sub(this.t[0]!, f, g);
    return this.isZero(this.t[0]!);
  }

  isZero(f: number): boolean {
    this.x.tobytes(this.io, f);
    const b = this.bytes;
    for (let i = 0; i < 32; i++) if (b[this.io + i] !== 0) return false;
    return true;
  }

  /** sgn0 (RFC 9380 §4.1): the parity of the canonical value. */
  isOdd(f: number): boolean {
    this.x.tobytes(this.io, f);
    return (this.bytes[this.io]! & 1) === 1;
  }

  copy(h: number, f: number): void {
    if (h !== f) this.bytes.copyWithin(h, f, f + FE_BYTES);
  }

  /** h = f if `cond` else h (not constant-time: see hash-to-curve.ts). */
  cmov(h: number, f: number, cond: boolean): void {
    if (cond) this.copy(h, f);
  }

  /** h = −f. */
  neg(h: number, f: number, zero: number): void {
    this.sub(h, zero, f);
  }

  /** h = z^((p − 5)/8) = z^(2^252 − 3), ref10's addition chain (fe_pow22523). */
  powP58(h: number, z: number): void {
    const [t0, t1, t2] = this.t as [number, number, number, number];
    this.sq(t0, z);
    this.sqn(t1, t0, 2);
    this.mul(t1, z, t1);
    this.mul(t0, t0, t1);
    this.sq(t0, t0);
    this.mul(t0, t1, t0);
    this.sqn(t1, t0, 5);
    this.mul(t0, t1, t0);
    this.sqn(t1, t0, 10);
    this.mul(t1, t1, t0);
    this.sqn(t2, t1, 20);
    this.mul(t1, t2, t1);
    this.sqn(t1, t1, 10);
    this.mul(t0, t1, t0);
    this.sqn(t1, t0, 50);
    this.mul(t1, t1, t0);
    this.sqn(t2, t1, 100);
    this.mul(t1, t2, t1);
    this.sqn(t1, t1, 50);
    this.mul(t0, t1, t0);
    this.sqn(t0, t0, 2);
    this.mul(h, t0, z);
  }

  /** h = z^(p − 2) = 1/z (0 for 0), ref10's addition chain (fe_invert). */
  invert(h: number, z: number): void {
    const [t0, t1, t2, t3] = this.t as [number, number, number, number];
    this.sq(t0, z);
    this.sqn(t1, t0, 2);
    this.mul(t1, z, t1);
    this.mul(t0, t0, t1);
    this.sq(t2, t0);
    this.mul(t1, t1, t2);
    this.sqn(t2, t1, 5);
    this.mul(t1, t2, t1);
    this.sqn(t2, t1, 10);
    this.mul(t2, t2, t1);
    this.sqn(t3, t2, 20);
    this.mul(t2, t3, t2);
    this.sqn(t2, t2, 10);
    this.mul(t1, t2, t1);
    this.sqn(t2, t1, 50);
    this.mul(t2, t2, t1);
    this.sqn(t3, t2, 100);
    this.mul(t2, t3, t2);
    this.sqn(t2, t2, 50);
    this.mul(t1, t2, t1);
    this.sqn(t1, t1, 5);
    this.mul(h, t1, t0);
  }
}
