import { describe, expect, it } from 'vitest';
import { bottomKAdd, bottomKEstimate, heavyHitterAdd, heavyHitterTop, KMV_EMPTY, linearCount, popcount32 } from '../../../src/detect/sketch/sketches.js';
import { hashInt, hashString } from '../../../src/detect/sketch/hash.js';
import { Rng } from '../../../src/simulate/prng.js';

describe('heavy hitters (Misra–Gries)', () => {
  const run = (items: number[]): number => {
    const keys = new Uint32Array(3);
    const counts = new Uint32Array(3);
    for (const x of items) heavyHitterAdd(keys, counts, 0, 3, x);
    return counts[heavyHitterTop(counts, 0, 3)]!;
  };

  it('counts a dominant item exactly when few others compete', () => {
    expect(run([5, 5, 5, 6, 5, 7, 5])).toBe(5);
  });

  it('never overestimates, and reads all-distinct streams as no reuse', () => {
    expect(run(Array.from({ length: 1000 }, (_, i) => i + 1))).toBeLessThanOrEqual(1);
    const rng = new Rng(1);
    const items = Array.from({ length: 1000 }, () => (rng.chance(0.6) ? 42 : rng.int(100, 100_000)));
    const truth = items.filter((x) => x === 42).length;
    const est = run(items);
    expect(est).toBeLessThanOrEqual(truth);
    expect(est).toBeGreaterThanOrEqual(truth - 1000 / 4);
  });
});

describe('bottom-k', () => {
  it('is exact below k and estimates distinct counts above it', () => {
    const v = new Uint32Array(8).fill(KMV_EMPTY);
    for (const x of [3, 1, 2, 3, 1]) bottomKAdd(v, 0, 8, hashInt(x));
    expect(bottomKEstimate(v, 0, 8)).toBe(3);
    const w = new Uint32Array(8).fill(KMV_EMPTY);
    for (let i = 0; i < 5000; i++) bottomKAdd(w, 0, 8, hashInt(i % 2000));
    const est = bottomKEstimate(w, 0, 8);
    expect(est).toBeGreaterThan(2000 * 0.4);
    expect(est).toBeLessThan(2000 * 2.5);
    expect([...w]).toEqual([...w].sort((a, b) => a - b));
  });
});

describe('linear counting', () => {
  it('estimates small distinct counts from a bitmap', () => {
    let bits = 0;
    let set = 0;
    for (let i = 0; i < 10; i++) bits |= 1 << (hashString(`net${i}`) & 31);
    set = popcount32(bits);
    const est = linearCount(set, 32);
    expect(est).toBeGreaterThan(6);
    expect(est).toBeLessThan(16);
    expect(linearCount(0, 64)).toBe(0);
  });
});

describe('hashes', () => {
  it('spread small integers and strings', () => {
    expect(new Set(Array.from({ length: 10_000 }, (_, i) => hashInt(i))).size).toBe(10_000);
    expect(new Set(Array.from({ length: 10_000 }, (_, i) => hashString(`value-${i}`))).size).toBeGreaterThan(9_990);
  });
});
