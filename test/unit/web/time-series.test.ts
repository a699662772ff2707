import { describe, expect, it } from 'vitest';
import { timeSeries } from '../../../src/web/views/time-series.js';

describe('console time series', () => {
  it('counts events per bucket and kind, every event exactly once', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const events = [
      { at: t0, kind: 'overlap' }, { at: t0 + 10, kind: 'overlap' }, { at: t0 + 5_000, kind: 'campaign_growth' }, { at: t0 + 9_999, kind: 'overlap' },
    ];
    const s = timeSeries('Alerts', 'note', events, 10);
    expect(s.kinds).toEqual(['campaign_growth', 'overlap']);
    expect(s.total).toBe(4);
    expect(s.buckets.reduce((n, b) => n + b.counts.overlap! + b.counts.campaign_growth!, 0)).toBe(4);
    expect(s.buckets[0]!.counts.overlap).toBe(2);
    expect(s.buckets.length).toBeLessThanOrEqual(11);
    expect(new Date(s.buckets[0]!.start).getTime()).toBeLessThanOrEqual(t0);
  });

  it('is empty without events', () => {
    expect(timeSeries('Alerts', 'none', [])).toEqual({ title: 'Alerts', note: 'none', bucket_ms: 0, kinds: [], buckets: [], total: 0 });
  });
});
