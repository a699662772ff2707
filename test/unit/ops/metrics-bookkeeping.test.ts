import { describe, expect, it } from 'vitest';
import { AcceptanceTimes } from '../../../src/ops/metrics/acceptance-times.js';
import { replicationLag } from '../../../src/ops/metrics/replication-lag.js';

describe('alert latency bookkeeping', () => {
  it('measures from acceptance to match once, and forgets the batch', () => {
    const t = new AcceptanceTimes();
    t.accepted('pa', 1n, 1_000);
    t.accepted('pb', 1n, 1_100);
    expect(t.matched('pa', 1n, 1_250)).toBe(250);
    expect(t.matched('pa', 1n, 1_300)).toBeUndefined();
    expect(t.matched('pb', 2n, 1_300)).toBeUndefined();
    expect(t.size).toBe(1);
  });

  it('keeps memory bounded by forgetting the oldest batches first', () => {
    const t = new AcceptanceTimes(3);
    for (let seq = 1n; seq <= 5n; seq++) t.accepted('pa', seq, Number(seq));
    expect(t.size).toBe(3);
    expect(t.matched('pa', 2n, 10)).toBeUndefined();
    expect(t.matched('pa', 3n, 10)).toBe(7);
  });

  it('never reports a negative latency when the clock steps back', () => {
    const t = new AcceptanceTimes();
    t.accepted('pa', 1n, 5_000);
    expect(t.matched('pa', 1n, 4_000)).toBe(0);
  });
});

describe('replication lag', () => {
  it('is what each peer holds beyond the local head, per provider, and zero when level or ahead', () => {
    const peers = new Map([
      ['c2', new Map([['pa', 10n], ['pb', 3n]])],
      ['c3', new Map([['pa', 7n], ['pc', 2n]])],
    ]);
    const local = new Map([['pa', 8n], ['pb', 5n]]);
    expect(replicationLag(peers, local)).toEqual([
      { peer: 'c2', provider: 'pa', batches: 2 },
      { peer: 'c2', provider: 'pb', batches: 0 },
      { peer: 'c3', provider: 'pa', batches: 0 },
      { peer: 'c3', provider: 'pc', batches: 2 },
    ]);
  });
});
