/**
 * Non-cryptographic hashes for sketches and grouping. They run once or more
 * per log line, so they work on char codes in place without allocating.
 * Nothing here is a privacy mechanism: these values never leave the process.
 */

/** 32-bit hash of s[start, end) (murmur3-style mixing over UTF-16 code units). */
export function hashRange(s: string, start: number, end: number, seed: number): number {
  let h = seed | 0;
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return finalize(h ^ (end - start));
}

export function hashString(s: string, seed = 0x9747b28c): number {
  return hashRange(s, 0, s.length, seed);
}

/** Final avalanche (murmur3 fmix32). */
export function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of a 32-bit integer. */
export function hashInt(x: number, seed = 0): number {
  return finalize(Math.imul(x ^ seed, 0x9e3779b1) ^ (x >>> 16));
}
