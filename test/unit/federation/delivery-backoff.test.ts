import { describe, expect, it } from 'vitest';
import { CordonError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { DeliveryBackoff, REFUSED_BACKOFF_MAX_MS, REFUSED_BACKOFF_MIN_MS, refusedBackoffMs } from '../../../src/federation/provider/delivery-backoff.js';

/** A logger that keeps every line (debug included) for inspection. */
function recordingLog() {
  const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
  const log = createLogger({}, { level: 'debug', write: (l) => lines.push(JSON.parse(l)) });
  return { log, lines, at: (level: string) => lines.filter((l) => l.level === level) };
}

const refused = () => new CordonError('PERMISSION_DENIED', 'c1: call token: member \'p1\' is revoked');
const down = () => new CordonError('UNAVAILABLE', 'c1: connect ECONNREFUSED');

/** Fails c1 `times` in a row, each time stepping the clock by `step` until c1 is due again; returns each wait. */
function waitsAfter(b: DeliveryBackoff, failure: () => unknown, times: number, step: number, now: () => number, setNow: (t: number) => void): number[] {
  const waits: number[] = [];
  for (let i = 0; i < times; i++) {
    b.failed('c1', failure());
    const start = now();
    while (!b.due('c1')) setNow(now() + step);
    waits.push(now() - start);
  }
  return waits;
}

describe('delivery backoff', () => {
  it('doubles from the minimum to the cap, each wait drawn from the upper half of its step', () => {
    const low = (n: number) => refusedBackoffMs(n, () => 0);
    const high = (n: number) => refusedBackoffMs(n, () => 1);
    expect([1, 2, 3, 4].map(high)).toEqual([1, 2, 4, 8].map((k) => k * REFUSED_BACKOFF_MIN_MS));
    expect([1, 2, 3, 4].map(low)).toEqual([0.5, 1, 2, 4].map((k) => k * REFUSED_BACKOFF_MIN_MS));
    // The cap holds for ever (no overflow), jitter included.
    for (const n of [10, 11, 50, 5000]) {
      expect(high(n)).toBe(REFUSED_BACKOFF_MAX_MS);
      expect(low(n)).toBe(REFUSED_BACKOFF_MAX_MS / 2);
    }
    for (let n = 1; n < 30; n++) {
      const d = refusedBackoffMs(n);
      expect(d).toBeGreaterThanOrEqual(low(n));
      expect(d).toBeLessThanOrEqual(high(n));
    }
  });

  it('skips a refusing node until its wait is over, and starts again from the minimum after a success', () => {
    let now = 0;
    const b = new DeliveryBackoff({ log: recordingLog().log, now: () => now, random: () => 1 });
    expect(b.due('c1')).toBe(true);
    const waits = waitsAfter(b, refused, 12, 100, () => now, (t) => (now = t));
    expect(waits.slice(0, 4)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(waits.at(-1)).toBe(REFUSED_BACKOFF_MAX_MS);
    // Another node is not held back by c1's refusals.
    expect(b.due('c2')).toBe(true);
    b.succeeded('c1');
    b.failed('c1', refused());
    expect(b.due('c1')).toBe(false);
    now += REFUSED_BACKOFF_MIN_MS;
    expect(b.due('c1')).toBe(true);
  });

  it('backs off from a node that is down too, on its own (shorter) policy, and logs it once naming the peer', () => {
    let now = 0;
    const { log, at } = recordingLog();
    const b = new DeliveryBackoff({ log, now: () => now, random: () => 1, failingPolicy: { minMs: 100, maxMs: 400 } });
    const waits = waitsAfter(b, down, 5, 50, () => now, (t) => (now = t));
    expect(waits).toEqual([100, 200, 400, 400, 400]);
    expect(at('warn')).toEqual([expect.objectContaining({ msg: 'delivery failing: node unreachable; retrying with back-off', peer: 'c1', code: 'UNAVAILABLE', attempt: 1, retry_in_ms: 100 })]);
    expect(at('warn')[0]).not.toHaveProperty('node');
  });

  it('warns once when a node starts refusing, not on every attempt, and says once when it accepts again', () => {
    let now = 0;
    const { log, at } = recordingLog();
    const b = new DeliveryBackoff({ log, now: () => now });
    for (let i = 0; i < 200; i++) {
      b.failed('c1', refused());
      now += REFUSED_BACKOFF_MAX_MS;
    }
    expect(at('warn')).toHaveLength(1);
    expect(at('warn')[0]).toMatchObject({ peer: 'c1', code: 'PERMISSION_DENIED', attempt: 1 });
    expect(at('debug')).toHaveLength(199);
    b.succeeded('c1');
    b.succeeded('c1');
    expect(at('info')).toEqual([expect.objectContaining({ msg: 'delivery resumed', peer: 'c1', after: 'PERMISSION_DENIED' })]);
    // A new failure after the recovery is a new state: one more warning.
    b.failed('c1', refused());
    expect(at('warn')).toHaveLength(2);
  });

  it('warns again only when the failure changes, and keeps a node that is starting at debug until the quiet period ends', () => {
    let now = 0;
    const { log, at } = recordingLog();
    const b = new DeliveryBackoff({ log, now: () => now, quietUntil: 10_000 });
    b.failed('c1', down());
    b.failed('c1', down());
    expect(at('warn')).toHaveLength(0);
    now = 10_000;
    b.failed('c1', down());
    b.failed('c1', down());
    expect(at('warn').map((l) => l.code)).toEqual(['UNAVAILABLE']);
    b.failed('c1', refused());
    b.failed('c1', refused());
    b.failed('c1', new CordonError('UNAUTHENTICATED', 'c1: call token: not accepted'));
    expect(at('warn').map((l) => l.code)).toEqual(['UNAVAILABLE', 'PERMISSION_DENIED', 'UNAUTHENTICATED']);
    // A refusal after another failure starts the schedule from the beginning.
    expect(at('warn')[1]).toMatchObject({ attempt: 1 });
    expect(at('warn')[2]).toMatchObject({ attempt: 1 });
  });
});
