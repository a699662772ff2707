import { POINT_BYTES } from './points.js';
import { ExpandMessageXmd } from './expand-message.js';
import { Field } from './wasm/field.js';
import { FE_BYTES } from './wasm/field-code.js';

/**
 * hash_to_curve for curve25519 (RFC 9380 §6.7.1 and Appendix G.2.1, suite
 * curve25519_XMD:SHA-512_ELL2_RO_), returning only the u-coordinate, which is
 * all X25519 uses:
 *
 *   u0, u1 = hash_to_field(msg, 2)       expand_message_xmd(SHA-512), 48 bytes each, mod p
 *   Q0, Q1 = map_to_curve_elligator2(u0), map_to_curve_elligator2(u1)
 *   P = clear_cofactor(Q0 + Q1) = 8·(Q0 + Q1)
 *
 * The random-oracle variant (two maps and a sum) is the one whose output is
 * indistinguishable from a uniformly random point, which is what ECDH-PSI's
 * security argument assumes of H; encode_to_curve (one map) would cost half as
 * much but covers only about half the curve, non-uniformly.
 *
 * Speed: field arithmetic runs in generated WebAssembly (wasm/field-code.ts),
 * about 25 ns a squaring; the two maps' exponentiations dominate. The sum is
 * done on the Montgomery curve with fractions (no inversion), the cofactor
 * clearing as three x-only doublings, and the one inversion per point is
 * batched over the whole call (Montgomery's trick). Tested against the RFC's
 * vectors and against @noble/curves.
 *
 * Not constant-time: the map branches on whether a value is a square. The
 * hashed elements are this party's own and are timed by nobody else; the
 * secret key is used only inside node:crypto's constant-time X25519.
 */
export const H2C_SUITE = 'curve25519_XMD:SHA-512_ELL2_RO_';

const P = (1n << 255n) - 19n;
const J = 486662n;
/** (A − 2)/4 for the x-only doubling (RFC 7748 §5). */
const A24 = 121665n;
/** Bytes per field element drawn by hash_to_field: L = ceil((ceil(log2(p)) + k)/8) with k = 128. */
const L = 48;

function powMod(base: bigint, e: bigint): bigint {
  let r = 1n;
  base %= P;
  while (e > 0n) {
    if (e & 1n) r = (r * base) % P;
    base = (base * base) % P;
    e >>= 1n;
  }
  return r;
}
const le32 = (x: bigint): Uint8Array => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex').reverse());

const REGISTERS = [
  // per message
  'u0', 'u1', 'n0', 'd0', 'y0', 'n1', 'd1', 'y1', 'hi',
  // map_to_curve_elligator2
  'tv1', 'xd', 'x1n', 'tv2', 'gxd', 'gx1', 'tv3', 'y11', 'y12', 'ya', 'x2n', 'y21', 'y22', 'gx2', 'yb',
  // sum and cofactor clearing
  'D', 'L', 'M', 'M2', 'S', 'T', 'AA', 'BB', 'E',
  // batched inversion
  'inv', 'zinv', 'u',
] as const;
type Register = (typeof REGISTERS)[number];

/** One thread's hasher: its field instance, constants and named scratch elements. */
class Curve25519Hasher {
  readonly F = new Field();
  private readonly c: Record<'one' | 'zero' | 'j' | 'negJ' | 'c2' | 'c3' | 'a24' | 'nineteen', number>;
  private readonly r: Record<Register, number>;
  private batch = { capacity: 0, x: 0, z: 0, prefix: 0 };
  /** Byte buffers reused by fieldElement; `le` has one spare zero byte past the 48. */
  private readonly io = { le: new Uint8Array(L + 1), hi: new Uint8Array(32) };

  constructor() {
    const F = this.F;
    const constant = (v: bigint) => {
      const slot = F.alloc(1);
      F.fromBytes(slot, le32(((v % P) + P) % P));
      return slot;
    };
    this.c = {
      one: constant(1n),
      zero: constant(0n),
      j: constant(J),
      negJ: constant(-J),
      c2: constant(powMod(2n, (P + 3n) / 8n)), // 2^((p+3)/8)
      c3: constant(powMod(2n, (P - 1n) / 4n)), // a square root of −1
      a24: constant(A24),
      nineteen: constant(19n),
    };
    this.r = Object.fromEntries(REGISTERS.map((name) => [name, F.alloc(1)])) as Record<Register, number>;
  }

  /** u-coordinates of hash_to_curve(msg) for each message, 32 bytes each. */
  hash(messages: readonly Uint8Array[], expander: ExpandMessageXmd): Uint8Array {
    const n = messages.length;
    const out = new Uint8Array(n * POINT_BYTES);
    if (n === 0) return out;
    this.reserve(n);
    const { x, z } = this.batch;
    const r = this.r;
    messages.forEach((msg, i) => {
      const uniform = expander.expand(msg);
      this.fieldElement(r.u0, uniform.subarray(0, L));
      this.fieldElement(r.u1, uniform.subarray(L, 2 * L));
      this.map(r.n0, r.d0, r.y0, r.u0);
      this.map(r.n1, r.d1, r.y1, r.u1);
      this.sumAndClear(x + i * FE_BYTES, z + i * FE_BYTES);
    });
    this.finish(n, out);
    return out;
  }

  private reserve(n: number): void {
    if (n <= this.batch.capacity) return;
    this.batch = { capacity: n, x: this.F.alloc(n), z: this.F.alloc(n), prefix: this.F.alloc(n) };
  }

  /** OS2IP(48 big-endian bytes) mod p: the low 255 bits plus 19 times the rest (2^255 ≡ 19). */
  private fieldElement(h: number, be: Uint8Array): void {
    const F = this.F;
    const { le, hi } = this.io;
    for (let i = 0; i < L; i++) le[i] = be[L - 1 - i]!;
    for (let i = 0; i < L - 31; i++) hi[i] = ((le[31 + i]! >> 7) | (le[32 + i]! << 1)) & 0xff;
    F.fromBytes(h, le);
    F.fromBytes(this.r.hi, hi);
    F.mul(this.r.hi, this.r.hi, this.c.nineteen);
    F.add(h, h, this.r.hi);
  }

  /**
   * map_to_curve_elligator2_curve25519 (RFC 9380 G.2.1, straight-line), to
   * (xn/xd, y). Step numbers are the RFC's.
   */
  private map(xnOut: number, xdOut: number, yOut: number, u: number): void {
    const F = this.F;
    const c = this.c;
    const { tv1, xd, x1n, tv2, gxd, gx1, tv3, y11, y12, ya: y1, x2n, y21, y22, gx2, yb: y2 } = this.r;
    F.sq(tv1, u); //                  1. tv1 = u^2
    F.add(tv1, tv1, tv1); //          2. tv1 = 2 * tv1
    F.add(xd, tv1, c.one); //         3. xd = tv1 + 1
    F.copy(x1n, c.negJ); //           4. x1n = -J
    F.sq(tv2, xd); //                 5. tv2 = xd^2
    F.mul(gxd, tv2, xd); //           6. gxd = tv2 * xd
    F.mul(gx1, tv1, c.j); //          7. gx1 = J * tv1
    F.mul(gx1, gx1, x1n); //          8. gx1 = gx1 * x1n
    F.add(gx1, gx1, tv2); //          9. gx1 = gx1 + tv2
    F.mul(gx1, gx1, x1n); //         10. gx1 = gx1 * x1n
    F.sq(tv3, gxd); //               11. tv3 = gxd^2
    F.sq(tv2, tv3); //               12. tv2 = tv3^2
    F.mul(tv3, tv3, gxd); //         13. tv3 = tv3 * gxd
    F.mul(tv3, tv3, gx1); //         14. tv3 = tv3 * gx1
    F.mul(tv2, tv2, tv3); //         15. tv2 = tv2 * tv3
    F.powP58(y11, tv2); //           16. y11 = tv2^c4
    F.mul(y11, y11, tv3); //         17. y11 = y11 * tv3
    F.mul(y12, y11, c.c3); //        18. y12 = y11 * c3
    F.sq(tv2, y11); //               19. tv2 = y11^2
    F.mul(tv2, tv2, gxd); //         20. tv2 = tv2 * gxd
    const e1 = F.equal(tv2, gx1); // 21. e1 = tv2 == gx1
    F.copy(y1, e1 ? y11 : y12); //   22. y1 = CMOV(y12, y11, e1)
    F.mul(x2n, x1n, tv1); //         23. x2n = x1n * tv1
    F.mul(y21, y11, u); //           24. y21 = y11 * u
    F.mul(y21, y21, c.c2); //        25. y21 = y21 * c2
    F.mul(y22, y21, c.c3); //        26. y22 = y21 * c3
    F.mul(gx2, gx1, tv1); //         27. gx2 = gx1 * tv1
    F.sq(tv2, y21); //               28. tv2 = y21^2
    F.mul(tv2, tv2, gxd); //         29. tv2 = tv2 * gxd
    const e2 = F.equal(tv2, gx2); // 30. e2 = tv2 == gx2
    F.copy(y2, e2 ? y21 : y22); //   31. y2 = CMOV(y22, y21, e2)
    F.sq(tv2, y1); //                32. tv2 = y1^2
    F.mul(tv2, tv2, gxd); //         33. tv2 = tv2 * gxd
    const e3 = F.equal(tv2, gx1); // 34. e3 = tv2 == gx1
    F.copy(xnOut, e3 ? x1n : x2n); //35. xn = CMOV(x2n, x1n, e3)
    F.copy(yOut, e3 ? y1 : y2); //   36. y = CMOV(y2, y1, e3)
    const e4 = F.isOdd(yOut); //     37. e4 = sgn0(y) == 1
    if (e3 !== e4) F.neg(yOut, yOut, c.zero); // 38. y = CMOV(y, -y, e3 XOR e4)
    F.copy(xdOut, xd); //            39. return (xn, xd, y, 1)
  }

  /**
   * (X : Z) of 8·(Q0 + Q1), Q0 = (n0/d0, y0) and Q1 = (n1/d1, y1) from the
   * registers. The sum on the Montgomery curve v² = u³ + A·u² + u with
   * fractions: λ = L/M, L = (y1 − y0)·D, M = n1·d0 − n0·d1, D = d0·d1, and
   * u3 = λ² − A − u0 − u1 = [L²·D − M²·(A·D + n0·d1 + n1·d0)] / (M²·D).
   * Then three x-only doublings (RFC 7748's ladder step): 8 = 2³.
   */
  private sumAndClear(X: number, Z: number): void {
    const F = this.F;
    const { n0, d0, y0, n1, d1, y1, D, L: l, M, M2, S, T, AA, BB, E } = this.r;
    F.mul(D, d0, d1);
    F.sub(l, y1, y0);
    F.mul(l, l, D); //                        L
    F.mul(S, n0, d1);
    F.mul(T, n1, d0);
    F.sub(M, T, S); //                        M
    F.add(S, S, T); //                        n0·d1 + n1·d0
    F.mul(T, D, this.c.j);
    F.add(S, S, T); //                        A·D + n0·d1 + n1·d0
    F.sq(M2, M);
    F.mul(S, S, M2);
    F.sq(T, l);
    F.mul(T, T, D);
    F.sub(X, T, S); //                        X = L²·D − M²·(…)
    F.mul(Z, M2, D); //                       Z = M²·D
    for (let k = 0; k < 3; k++) {
      F.add(AA, X, Z);
      F.sq(AA, AA); //                        AA = (X + Z)²
      F.sub(BB, X, Z);
      F.sq(BB, BB); //                        BB = (X − Z)²
      F.sub(E, AA, BB); //                    E = AA − BB
      F.mul(X, AA, BB); //                    X' = AA·BB
      F.mul(Z, E, this.c.a24);
      F.add(Z, Z, AA);
      F.mul(Z, Z, E); //                      Z' = E·(AA + a24·E)
    }
  }

  /** u = X/Z for every point with one inversion (Montgomery's trick), encoded into `out`. */
  private finish(n: number, out: Uint8Array): void {
    const F = this.F;
    const { x, z, prefix } = this.batch;
    const { inv, zinv, u } = this.r;
    const at = (base: number, i: number) => base + i * FE_BYTES;
    F.copy(prefix, z);
    for (let i = 1; i < n; i++) F.mul(at(prefix, i), at(prefix, i - 1), at(z, i));
    F.invert(inv, at(prefix, n - 1));
    if (F.isZero(inv)) {
      // Some Z is 0 (a sum at infinity; probability about 2^-250): one inversion each, and u = 0 for that point.
      for (let i = 0; i < n; i++) {
        F.invert(zinv, at(z, i));
        F.mul(u, at(x, i), zinv);
        F.toBytes(u, out, i * POINT_BYTES);
      }
      return;
    }
    for (let i = n - 1; i >= 0; i--) {
      if (i > 0) F.mul(zinv, inv, at(prefix, i - 1));
      else F.copy(zinv, inv);
      F.mul(inv, inv, at(z, i));
      F.mul(u, at(x, i), zinv);
      F.toBytes(u, out, i * POINT_BYTES);
    }
  }
}

let hasher: Curve25519Hasher | undefined;
const expanders = new Map<string, ExpandMessageXmd>();

/** hash_to_curve(msg) for every message: the u-coordinates, as 32-byte little-endian rows. */
export function hashToCurve(messages: readonly Uint8Array[], dst: Uint8Array): Uint8Array {
  hasher ??= new Curve25519Hasher();
  const key = Buffer.from(dst).toString('latin1');
  let expander = expanders.get(key);
  if (!expander) expanders.set(key, (expander = new ExpandMessageXmd(dst, 2 * L)));
  return hasher.hash(messages, expander);
}
