import { describe, expect, it } from 'vitest';
import { TimeHeap } from '../../../src/simulate/heap.js';
import { accountIds } from '../../../src/simulate/ids.js';
import { Rng } from '../../../src/simulate/prng.js';
import { calendar, DAY_MS, mapToTime } from '../../../src/simulate/timing/calendar.js';
import { calendarStarts, listStarts, Schedule } from '../../../src/simulate/timing/schedule.js';

const MONDAY = Date.UTC(2025, 2, 3);

describe('schedules', () => {
  it('maps sorted fractions to sorted times inside the window', () => {
    const cal = calendar('work', 1, 0.2);
    let last = -Infinity;
    for (let u = 0; u < 1; u += 0.01) {
      const t = mapToTime(cal, MONDAY, 2, 9, u);
      expect(t).toBeGreaterThanOrEqual(last);
      expect(t).toBeGreaterThanOrEqual(MONDAY + 2 * DAY_MS);
      expect(t).toBeLessThan(MONDAY + 9 * DAY_MS);
      last = t;
    }
  });

  it('puts office-hours activity in the working day', () => {
    const cal = calendar('work', 0, 0.05);
    const starts = calendarStarts(cal, MONDAY, 0, 14, 2000);
    const rng = new Rng(3);
    let daytime = 0;
    for (let t = starts.next(rng); t !== undefined; t = starts.next(rng)) {
      const h = new Date(t).getUTCHours();
      if (h >= 8 && h < 18) daytime++;
    }
    expect(daytime / 2000).toBeGreaterThan(0.8);
  });

  it('produces exactly the requested requests, in order, within the period', () => {
    const rng = new Rng(4);
    const end = MONDAY + 14 * DAY_MS;
    const s = new Schedule({ starts: calendarStarts(calendar('human', -5, 1), MONDAY, 0, 14, 12), requests: 100, gapMs: 30_000, gapCv: 1, sessionSpread: 0.5, endMs: end });
    const times: number[] = [];
    for (let t = s.next(rng); t !== undefined; t = s.next(rng)) times.push(t);
    expect(times.length).toBe(100);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times[times.length - 1]!).toBeLessThan(end);
  });

  it('selects a sorted subset of shared wave times', () => {
    const waves = Array.from({ length: 50 }, (_, i) => MONDAY + i * 3_600_000);
    const s = listStarts(waves, 10, 60_000);
    const rng = new Rng(5);
    const got: number[] = [];
    for (let t = s.next(rng); t !== undefined; t = s.next(rng)) got.push(t);
    expect(got).toHaveLength(10);
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    for (const t of got) expect((t - MONDAY) % 3_600_000).toBeLessThan(60_000);
  });
});

describe('TimeHeap', () => {
  it('pops in time order', () => {
    const h = new TimeHeap(2);
    const rng = new Rng(6);
    const times = Array.from({ length: 500 }, () => rng.next());
    times.forEach((t, i) => h.push(t, i));
    const out: number[] = [];
    while (h.size > 0) {
      out.push(h.peekTime());
      h.pop();
    }
    expect(out).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('accountIds', () => {
  it('are unique and do not reveal creation order', () => {
    const next = accountIds('p1', 9, 5000);
    const ids = Array.from({ length: 5000 }, () => next());
    expect(new Set(ids).size).toBe(5000);
    expect(ids.every((id) => /^p1-u\d{6}$/.test(id))).toBe(true);
    const sorted = [...ids].sort();
    expect(sorted).not.toEqual(ids);
  });
});
