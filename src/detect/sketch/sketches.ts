/**
 * Fixed-size streaming sketches stored inside per-account typed arrays
 * (`base` is the account's offset into a shared array). Each is O(1) memory
 * per account whatever its volume.
 */

/**
 * Misra–Gries heavy hitters over `k` slots: an item already held gets +1, a
 * new one takes a free slot, and otherwise every held count drops by one.
 * Counts never overestimate and undercount by at most n/(k+1), so a share
 * read off them is a conservative lower bound — a stream of all-different
 * prompts reads as ~0% reuse, not the 1/k a Space-Saving sketch would report.
 */
export function heavyHitterAdd(keys: Uint32Array, counts: Uint32Array, base: number, k: number, item: number): void {
  let free = -1;
  for (let j = base; j < base + k; j++) {
    const c = counts[j] as number;
    if (c > 0 && keys[j] === item) {
      counts[j] = c + 1;
      return;
    }
    if (c === 0 && free < 0) free = j;
  }
  if (free >= 0) {
    keys[free] = item;
    counts[free] = 1;
    return;
  }
  for (let j = base; j < base + k; j++) counts[j] = (counts[j] as number) - 1;
}

/** The slot with the largest count (its index into keys/counts). */
export function heavyHitterTop(counts: Uint32Array, base: number, k: number): number {
  let best = base;
  for (let j = base + 1; j < base + k; j++) if ((counts[j] as number) > (counts[best] as number)) best = j;
  return best;
}

export const KMV_EMPTY = 0xffffffff;

/**
 * K minimum values (bottom-k) of 32-bit hashes, kept sorted ascending. Gives
 * a distinct-count estimate ((k-1) / kth smallest, as a fraction of 2^32)
 * and doubles as a MinHash signature of the set.
 */
export function bottomKAdd(values: Uint32Array, base: number, k: number, h: number): void {
  const last = base + k - 1;
  if (h >= (values[last] as number)) return;
  for (let j = base; j <= last; j++) {
    const v = values[j] as number;
    if (v === h) return;
    if (v > h) {
      for (let m = last; m > j; m--) values[m] = values[m - 1] as number;
      values[j] = h;
      return;
    }
  }
}

/** Distinct values seen, estimated from a bottom-k sketch (exact while fewer than k). */
export function bottomKEstimate(values: Uint32Array, base: number, k: number): number {
  let filled = 0;
  while (filled < k && values[base + filled] !== KMV_EMPTY) filled++;
  if (filled < k) return filled;
  const kth = (values[base + k - 1] as number) + 1;
  return ((k - 1) * 4294967296) / kth;
}

/** Linear counting on a bitmap of `bits` bits: distinct items from the share of bits still zero. */
export function linearCount(setBits: number, bits: number): number {
  if (setBits <= 0) return 0;
  const zero = bits - setBits;
  if (zero <= 0) return bits * Math.log(bits); // saturated: a lower bound
  return -bits * Math.log(zero / bits);
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
