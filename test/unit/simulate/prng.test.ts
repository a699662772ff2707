import { describe, expect, it } from 'vitest';
import { mix32, Rng } from '../../../src/simulate/prng.js';

describe('Rng', () => {
  it('is deterministic for a seed and stream, and differs across them', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.u32())(new Rng(7, 1)));
    const b = Array.from({ length: 5 }, ((r) => () => r.u32())(new Rng(7, 1)));
    const c = Array.from({ length: 5 }, ((r) => () => r.u32())(new Rng(7, 2)));
    const d = Array.from({ length: 5 }, ((r) => () => r.u32())(new Rng(8, 1)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
  });

  it('draws uniform values in range with the right mean', () => {
    const r = new Rng(1);
    let sum = 0;
    let outOfRange = 0;
    const ints = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      if (x < 0 || x >= 1) outOfRange++;
      sum += x;
      ints.add(r.int(3, 5));
    }
    expect(outOfRange).toBe(0);
    expect([...ints].sort()).toEqual([3, 4, 5]);
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
  });

  it('gives positive values of the requested mean and variability', () => {
    const r = new Rng(2);
    const xs = Array.from({ length: 20_000 }, () => r.withCv(10, 0.5));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.min(...xs)).toBeGreaterThan(0);
    expect(mean).toBeGreaterThan(9.5);
    expect(mean).toBeLessThan(10.5);
    expect(sd / mean).toBeGreaterThan(0.45);
    expect(sd / mean).toBeLessThan(0.55);
  });

  it('mix32 is a stable 32-bit hash', () => {
    expect(mix32(1, 2, 3)).toBe(mix32(1, 2, 3));
    expect(mix32(1, 2, 3)).not.toBe(mix32(1, 2, 4));
    expect(mix32(5) >>> 0).toBe(mix32(5));
  });
});
