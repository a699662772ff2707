/**
 * Just enough of the WebAssembly binary format (core spec §5) to build a
 * module of i32/i64 functions over one linear memory: no toolchain, no build
 * step, no binary blob in the repository. The module is assembled from its
 * description at load time, deterministically.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;

/** Opcodes used by field-code.ts (core spec §5.4). */
export const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, call: 0x10,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i64Load: 0x29, i64Store: 0x37,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Add: 0x6a, i32Sub: 0x6b,
  i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64And: 0x83, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86, i64ShrS: 0x87, i64ShrU: 0x88,
} as const;

const BLOCK_VOID = 0x40;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

/** The body of one function: instructions appended in order. */
export class Body {
  readonly bytes: number[] = [];

  get(local: number): this { return this.emit(OP.localGet, ...uleb(local)); }
  set(local: number): this { return this.emit(OP.localSet, ...uleb(local)); }
  tee(local: number): this { return this.emit(OP.localTee, ...uleb(local)); }
  i32(v: number): this { return this.emit(OP.i32Const, ...sleb(BigInt(v))); }
  i64(v: number | bigint): this { return this.emit(OP.i64Const, ...sleb(BigInt(v))); }
  /** i64.load / i64.store with 8-byte alignment at a constant offset. */
  load64(offset: number): this { return this.emit(OP.i64Load, 3, ...uleb(offset)); }
  store64(offset: number): this { return this.emit(OP.i64Store, 3, ...uleb(offset)); }
  call(fn: number): this { return this.emit(OP.call, ...uleb(fn)); }
  block(): this { return this.emit(OP.block, BLOCK_VOID); }
  loop(): this { return this.emit(OP.loop, BLOCK_VOID); }
  br(depth: number): this { return this.emit(OP.br, ...uleb(depth)); }
  brIf(depth: number): this { return this.emit(OP.brIf, ...uleb(depth)); }
  emit(...ops: number[]): this {
    this.bytes.push(...ops);
    return this;
  }
}

interface Func { params: number[]; locals: number[]; body: Body; export?: string }

/** A module: functions (indexed in the order added), one exported memory. */
export class ModuleBuilder {
  private readonly funcs: Func[] = [];

  /** Declares a function and returns its index; its body may be filled later (for calls between functions). */
  func(params: number[], locals: number[], exportAs?: string): { index: number; body: Body } {
    const body = new Body();
    this.funcs.push({ params, locals, body, ...(exportAs ? { export: exportAs } : {}) });
    return { index: this.funcs.length - 1, body };
  }

  build(memoryPages: number): Uint8Array {
    const types = this.funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
    const code = this.funcs.map((f) => {
      const locals = f.locals.length === 0 ? [0] : vec(runs(f.locals).map(([count, type]) => [...uleb(count), type]));
      const body = [...locals, ...f.body.bytes, OP.end];
      return [...uleb(body.length), ...body];
    });
    const exports = [
      [...name('memory'), 0x02, 0],
      ...this.funcs.flatMap((f, i) => (f.export ? [[...name(f.export), 0x00, ...uleb(i)]] : [])),
    ];
    return Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vec(types)),
      ...section(3, vec(this.funcs.map((_, i) => uleb(i)))),
      ...section(5, vec([[0x00, ...uleb(memoryPages)]])),
      ...section(7, vec(exports)),
      ...section(10, vec(code)),
    ]);
  }
}

/** Locals are declared as runs of one type. */
function runs(types: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const t of types) {
    const last = out[out.length - 1];
    if (last && last[1] === t) last[0]++;
    else out.push([1, t]);
  }
  return out;
}
