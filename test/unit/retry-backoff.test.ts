import { describe, expect, it } from 'vitest';
import { backoffMs, PeerBackoff, roundsPolicy, sleep, type BackoffPolicy } from '../../src/retry-backoff.js';

const policy: BackoffPolicy = { minMs: 100, maxMs: 2_000 };

describe('shared retry back-off', () => {
  it('doubles from the minimum to the cap, for ever (no overflow)', () => {
    const high = (n: number) => backoffMs(policy, n, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([100, 200, 400, 800, 1_600, 2_000]);
    for (const n of [7, 50, 5_000, Number.MAX_SAFE_INTEGER]) expect(high(n)).toBe(2_000);
  });

  it('jitters each wait within the upper half of its step', () => {
    for (let n = 1; n < 40; n++) {
      const step = Math.min(policy.maxMs, policy.minMs * 2 ** (n - 1));
      expect(backoffMs(policy, n, () => 0)).toBe(step / 2);
      for (let i = 0; i < 20; i++) {
        const d = backoffMs(policy, n);
        expect(d).toBeGreaterThanOrEqual(step / 2);
        expect(d).toBeLessThanOrEqual(step);
      }
    }
  });

  it('holds a failing peer back for its wait, others not at all, and resets on success', () => {
    let now = 0;
    const b = new PeerBackoff(policy, { now: () => now, random: () => 1 });
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { attempt, waitMs } = b.failed('c1');
      expect(attempt).toBe(i + 1);
      const start = now;
      while (!b.due('c1')) now += 50;
      waits.push(now - start);
      expect(waitMs).toBe(now - start);
    }
    expect(waits).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
    expect(b.due('c2')).toBe(true);
    expect(b.succeeded('c1')).toBe(true);
    expect(b.succeeded('c1')).toBe(false);
    expect(b.failures('c1')).toBe(0);
    expect(b.failed('c1')).toEqual({ attempt: 1, waitMs: 100 });
  });

  it('scales a round-based policy with the interval', () => {
    expect(roundsPolicy(500, 20)).toEqual({ minMs: 500, maxMs: 10_000 });
  });

  it('sleeps until the wait ends or the signal aborts', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const pending = sleep(60_000, abort.signal);
    abort.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
