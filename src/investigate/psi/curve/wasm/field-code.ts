import { Body, I32, I64, ModuleBuilder, OP } from './emitter.js';

/**
 * Arithmetic in GF(2^255 − 19) as a WebAssembly module, generated here.
 *
 * Representation (as in ref10, "radix 2^25.5"): an element is ten signed
 * 64-bit limbs h0…h9 stored little-endian at 8-byte steps (80 bytes), with
 * value Σ hi·2^⌈25.5·i⌉; even limbs hold 26 bits, odd limbs 25. Products of
 * limbs fit i64 with room for the ×2 and ×19 folds, which is why this runs
 * several times faster than BigInt: WebAssembly has native 64-bit multiplies,
 * JavaScript has none.
 *
 * Every function takes byte offsets into the module's memory:
 *   mul(h, f, g)   h = f·g          sq(h, f)    h = f²
 *   sqn(h, f, n)   h = f^(2^n), n ≥ 1
 *   add(h, f, g)   h = f + g        sub(h, f, g) h = f − g
 *   frombytes(h, p) 32 little-endian bytes at p (top bit ignored) → h
 *   tobytes(p, h)   h's canonical encoding (fully reduced) → 32 bytes at p
 * Outputs are carried (limbs back within ~26 bits) so any output is a valid
 * input; h may alias f or g.
 */
export const FE_BYTES = 80;

const LIMBS = 10;
const POS = [0, 26, 51, 77, 102, 128, 153, 179, 204, 230];
const WIDTH = POS.map((p, i) => (i === LIMBS - 1 ? 255 : POS[i + 1]!) - p);
const mask = (w: number) => (1n << BigInt(w)) - 1n;

/** One carry step: moves hi's bits above its width into the next limb (limb 9 folds into limb 0 times 19). */
function carry(b: Body, h: number[], c: number, i: number, fold = true): void {
  const next = (i + 1) % LIMBS;
  b.get(h[i]!).i64(WIDTH[i]!).emit(OP.i64ShrS).set(c);
  if (i < LIMBS - 1 || fold) {
    b.get(h[next]!).get(c);
    if (i === LIMBS - 1) b.i64(19).emit(OP.i64Mul);
    b.emit(OP.i64Add).set(h[next]!);
  }
  b.get(h[i]!).i64(mask(WIDTH[i]!)).emit(OP.i64And).set(h[i]!);
}

/** ref10's carry order after a product: two interleaved chains keep every intermediate within i64. */
const PRODUCT_CARRIES = [0, 4, 1, 5, 2, 6, 3, 7, 4, 8, 9, 0];
const LINEAR_CARRIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function loadLimbs(b: Body, ptr: number, into: number[]): void {
  into.forEach((l, i) => b.get(ptr).load64(8 * i).set(l));
}
function storeLimbs(b: Body, ptr: number, from: number[]): void {
  from.forEach((l, i) => b.get(ptr).get(l).store64(8 * i));
}
const range = (from: number, n = LIMBS) => Array.from({ length: n }, (_, i) => from + i);

/**
 * The terms of limb k of a product: pairs (i, j) with i + j = k or k + 10,
 * times 2 when i and j are both odd (two half bits) and 19 when wrapping past
 * 2^255 (2^255 ≡ 19).
 */
function productTerms(k: number): { i: number; j: number; twice: boolean; wrap: boolean }[] {
  const terms = [];
  for (let i = 0; i < LIMBS; i++) {
    const j = (k - i + LIMBS) % LIMBS;
    terms.push({ i, j, twice: i % 2 === 1 && j % 2 === 1, wrap: i + j >= LIMBS });
  }
  return terms;
}

export function buildFieldModule(memoryPages: number): Uint8Array {
  const m = new ModuleBuilder();
  const i32x = (n: number) => Array<number>(n).fill(I32);
  const i64x = (n: number) => Array<number>(n).fill(I64);

  // mul(h, f, g): locals F 3..12, G 13..22, F2 23..32, G19 33..42, H 43..52, C 53.
  {
    const { body: b } = m.func(i32x(3), i64x(51), 'mul');
    const [F, G, F2, G19, H, C] = [range(3), range(13), range(23), range(33), range(43), 53];
    loadLimbs(b, 1, F);
    loadLimbs(b, 2, G);
    for (let i = 1; i < LIMBS; i += 2) b.get(F[i]!).i64(1).emit(OP.i64Shl).set(F2[i]!);
    for (let j = 1; j < LIMBS; j++) b.get(G[j]!).i64(19).emit(OP.i64Mul).set(G19[j]!);
    for (let k = 0; k < LIMBS; k++) {
      productTerms(k).forEach((t, n) => {
        b.get(t.twice ? F2[t.i]! : F[t.i]!).get(t.wrap ? G19[t.j]! : G[t.j]!).emit(OP.i64Mul);
        if (n > 0) b.emit(OP.i64Add);
      });
      b.set(H[k]!);
    }
    for (const i of PRODUCT_CARRIES) carry(b, H, C, i);
    storeLimbs(b, 0, H);
  }

  // sq(h, f): each unordered pair once, doubled. Locals F 2..11, H 12..21, C 22.
  const sq = m.func(i32x(2), i64x(21), 'sq');
  {
    const b = sq.body;
    const [F, H, C] = [range(2), range(12), 22];
    loadLimbs(b, 1, F);
    for (let k = 0; k < LIMBS; k++) {
      const terms = productTerms(k).filter((t) => t.i <= t.j);
      terms.forEach((t, n) => {
        const factor = (t.i === t.j ? 1 : 2) * (t.twice ? 2 : 1) * (t.wrap ? 19 : 1);
        b.get(F[t.i]!).get(F[t.j]!).emit(OP.i64Mul);
        if (factor !== 1) b.i64(factor).emit(OP.i64Mul);
        if (n > 0) b.emit(OP.i64Add);
      });
      b.set(H[k]!);
    }
    for (const i of PRODUCT_CARRIES) carry(b, H, C, i);
    storeLimbs(b, 0, H);
  }

  // sqn(h, f, n): h = f²; then n − 1 more squarings in place.
  {
    const { body: b } = m.func(i32x(3), [], 'sqn');
    b.get(0).get(1).call(sq.index);
    b.block().loop();
    b.get(2).i32(1).emit(OP.i32Sub).tee(2).emit(OP.i32Eqz).brIf(1);
    b.get(0).get(0).call(sq.index);
    b.br(0).emit(OP.end).emit(OP.end);
  }

  // add / sub(h, f, g): limb-wise, then carried. Locals H 3..12, C 13.
  for (const [exportAs, op] of [['add', OP.i64Add], ['sub', OP.i64Sub]] as const) {
    const { body: b } = m.func(i32x(3), i64x(11), exportAs);
    const [H, C] = [range(3), 13];
    for (let i = 0; i < LIMBS; i++) b.get(1).load64(8 * i).get(2).load64(8 * i).emit(op).set(H[i]!);
    for (const i of LINEAR_CARRIES) carry(b, H, C, i);
    carry(b, H, C, 0); // h0 received 19·carry: one more step keeps every limb within its width
    storeLimbs(b, 0, H);
  }

  // frombytes(h, p): locals W 2..5 (the four 64-bit words).
  {
    const { body: b } = m.func(i32x(2), i64x(4), 'frombytes');
    const W = range(2, 4);
    W.forEach((w, a) => b.get(1).load64(8 * a).set(w));
    for (let k = 0; k < LIMBS; k++) {
      const [a, s, width] = [POS[k]! >> 6, POS[k]! & 63, WIDTH[k]!];
      b.get(0).get(W[a]!).i64(s).emit(OP.i64ShrU);
      if (s + width > 64) b.get(W[a + 1]!).i64(64 - s).emit(OP.i64Shl).emit(OP.i64Or);
      b.i64(mask(width)).emit(OP.i64And).store64(8 * k);
    }
  }

  // tobytes(p, h): locals H 2..11, G 12..21, C 22, M 23, W 24.
  {
    const { body: b } = m.func(i32x(2), i64x(23), 'tobytes');
    const [H, G, C, M, W] = [range(2), range(12), 22, 23, 24];
    loadLimbs(b, 1, H);
    // Three full passes: every limb within its width and the value below 2^255.
    for (let pass = 0; pass < 3; pass++) for (const i of LINEAR_CARRIES) carry(b, H, C, i);
    // v ≥ p exactly when v + 19 reaches 2^255; then the result is v + 19 − 2^255.
    H.forEach((h, i) => b.get(h).set(G[i]!));
    b.get(G[0]!).i64(19).emit(OP.i64Add).set(G[0]!);
    for (let i = 0; i < LIMBS - 1; i++) carry(b, G, C, i, false);
    b.get(G[9]!).i64(WIDTH[9]!).emit(OP.i64ShrU).set(C);
    b.get(G[9]!).i64(mask(WIDTH[9]!)).emit(OP.i64And).set(G[9]!);
    b.i64(0).get(C).emit(OP.i64Sub).set(M);
    H.forEach((h, i) => b.get(h).get(h).get(G[i]!).emit(OP.i64Xor).get(M).emit(OP.i64And).emit(OP.i64Xor).set(h));
    for (let a = 0; a < 4; a++) {
      let first = true;
      for (let k = 0; k < LIMBS; k++) {
        const [lo, hi] = [POS[k]!, POS[k]! + WIDTH[k]!];
        if (hi <= 64 * a || lo >= 64 * (a + 1)) continue;
        b.get(H[k]!);
        if (lo >= 64 * a) b.i64(lo - 64 * a).emit(OP.i64Shl);
        else b.i64(64 * a - lo).emit(OP.i64ShrU);
        if (!first) b.emit(OP.i64Or);
        first = false;
      }
      b.set(W).get(0).get(W).store64(8 * a);
    }
  }

  return m.build(memoryPages);
}
