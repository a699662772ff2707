import { describe, expect, it } from 'vitest';
import { parseTime } from '../../../src/detect/log/time.js';

describe('parseTime', () => {
  it('agrees with Date.parse on ISO 8601 UTC times, fast path or not', () => {
    for (const s of ['2025-03-03T00:02:23.233Z', '2025-03-03T23:59:59Z', '2024-02-29T12:00:00.000Z', '2025-03-04T01:00:00.001Z', '2025-03-03T10:00:00+02:00', '2025-03-03T10:00:00.5Z']) {
      expect(parseTime(s), s).toBe(Date.parse(s));
    }
  });

  it('takes epoch milliseconds as numbers or digit strings', () => {
    expect(parseTime(1_741_000_000_000)).toBe(1_741_000_000_000);
    expect(parseTime('1741000000000')).toBe(1_741_000_000_000);
  });

  it('rejects what is not a time', () => {
    for (const v of ['2025-02-30T00:00:00.000Z', '2025-13-01T00:00:00.000Z', '2025-03-03T24:00:00.000Z', 'yesterday', '', null, undefined, {}, Number.NaN]) {
      expect(parseTime(v), String(v)).toBeNaN();
    }
  });
});
