import { randomBytes } from 'node:crypto';

/**
 * The orders lists travel in. A list's order is the one thing besides its
 * values that could tell the receiver something (e.g. that a matching account
 * was the 3rd added), so no list goes out in an order derived from the
 * sender's input:
 *  - a party's own blinded list follows a fresh uniformly random permutation;
 *  - a doubly blinded list the receiver may not link to its elements (mode
 *    size) is sorted by value, an order that depends on the values alone.
 */

/** Fisher–Yates with 48 random bits per draw (modulo bias below 2⁻²⁴ for 10⁷ elements). */
export function randomPermutation(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const DRAWS = 8192;
  let pool = randomBytes(0);
  let at = 0;
  for (let i = n - 1; i > 0; i--) {
    if (at === pool.length) {
      pool = randomBytes(6 * Math.min(DRAWS, i));
      at = 0;
    }
    const r = pool.readUIntLE(at, 6) / 2 ** 48;
    at += 6;
    const j = Math.floor(r * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * The rows sorted by value (bytewise). Values are pseudorandom, so a counting
 * sort on their leading bits leaves buckets of one or two, finished by
 * insertion: linear time, where a comparison sort of 10⁷ rows takes seconds.
 */
export function sortRows(rows: Uint8Array, width: number): Uint8Array {
  const n = rows.length / width;
  // About one bucket per row, between 2^8 and 2^24 buckets (the first three bytes).
  const bits = Math.min(24, Math.max(8, Math.ceil(Math.log2(Math.max(n, 1)))));
  const shift = 24 - bits;
  const key = (off: number) => ((rows[off]! << 16) | (rows[off + 1]! << 8) | rows[off + 2]!) >>> shift;
  const starts = new Uint32Array((1 << bits) + 1);
  for (let i = 0; i < n; i++) starts[key(i * width) + 1]!++;
  for (let b = 0; b < 1 << bits; b++) starts[b + 1]! += starts[b]!;
  const next = starts.slice(0, 1 << bits);
  const out = new Uint8Array(rows.length);
  for (let i = 0; i < n; i++) {
    const b = key(i * width);
    const pos = next[b]!++;
    // Insertion within the bucket: shift larger values right.
    let p = pos;
    while (p > starts[b]! && compareRows(out, (p - 1) * width, rows, i * width, width) > 0) {
      out.copyWithin(p * width, (p - 1) * width, p * width);
      p--;
    }
    out.set(rows.subarray(i * width, (i + 1) * width), p * width);
  }
  return out;
}

function compareRows(a: Uint8Array, ao: number, b: Uint8Array, bo: number, width: number): number {
  for (let j = 0; j < width; j++) {
    const d = a[ao + j]! - b[bo + j]!;
    if (d !== 0) return d;
  }
  return 0;
}
