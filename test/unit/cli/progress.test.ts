import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandIO } from '../../../src/cli/command.js';
import { DEFAULT_PROGRESS_MS, progressLine, progressInterval, PROGRESS_MS_ENV, startProgress } from '../../../src/cli/progress.js';

/** The one progress reporter: a line every interval on a non-terminal, nothing with --quiet or --json. */
describe('progress reporter', () => {
  const lines: string[] = [];
  const io: CommandIO = { out: () => undefined, err: (l) => void lines.push(l), interactive: false };
  beforeEach(() => {
    lines.length = 0;
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('prints count, share, rate and time left once per interval, nothing before the first interval', () => {
    vi.stubEnv(PROGRESS_MS_ENV, '50');
    const p = startProgress(io, {}, { label: 'simulate', unit: 'lines', total: 2_000_000 });
    p.update(10);
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(50);
    p.update(500_000);
    vi.advanceTimersByTime(20);
    p.update(600_000); // within the interval: no line
    expect(lines).toEqual(['simulate: 500k of 2.0M lines (25%), 10.0M lines/s, about 1 s left']);
  });

  it('shows counts and rate without a total, and bytes as MB', () => {
    expect(progressLine({ label: 'publish: delivering', unit: 'batches' }, 12, 4)).toBe('publish: delivering: 12 batches, 3 batches/s');
    expect(progressLine({ label: 'detect: reading', unit: 'bytes', total: 400 << 20 }, 100 << 20, 10, '1.2M lines'))
      .toBe('detect: reading: 100.0 MB of 400.0 MB (25%), 10.0 MB/s, about 30 s left; 1.2M lines');
  });

  it('is silent with --quiet and with --json', () => {
    vi.stubEnv(PROGRESS_MS_ENV, '1');
    for (const values of [{ quiet: true }, { json: true }]) {
      const p = startProgress(io, values, { label: 'detect', unit: 'lines' });
      vi.advanceTimersByTime(10);
      p.update(5);
      p.end();
    }
    expect(lines).toEqual([]);
  });

  it(`reads the interval from ${PROGRESS_MS_ENV}, refusing a bad value by name`, () => {
    expect(progressInterval({})).toBe(DEFAULT_PROGRESS_MS);
    expect(progressInterval({ [PROGRESS_MS_ENV]: '50' })).toBe(50);
    expect(() => progressInterval({ [PROGRESS_MS_ENV]: 'soon' })).toThrow(/CORDON_PROGRESS_MS must be a whole number of milliseconds ≥ 1, got 'soon'/);
  });
});
