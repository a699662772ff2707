import { describe, expect, it } from 'vitest';
import { evaluate, type Truth } from '../../../src/detect/evaluate/metrics.js';
import { formatEvaluation } from '../../../src/detect/evaluate/table.js';

const truth: Truth = {
  accounts: new Map([
    ['c1', { label: 'k1', campaign: true, provider: 'p1' }],
    ['c2', { label: 'k1', campaign: true, provider: 'p2' }],
    ['c3', { label: 'k1', campaign: true, provider: 'p2' }],
    ['c4', { label: 'k2', campaign: true, provider: 'p1' }],
    ['b1', { label: 'batch', campaign: false, provider: 'p1' }],
    ['b2', { label: 'batch', campaign: false, provider: 'p1' }],
    ['h1', { label: 'chat', campaign: false, provider: 'p1' }],
  ]),
  campaigns: [
    { id: 'k1', type: 'low-and-slow', stealth: 0.5, providers: ['p1', 'p2'], accounts: ['c1', 'c2', 'c3'] },
    { id: 'k2', type: 'cot-extraction', stealth: 0.5, providers: ['p1'], accounts: ['c4'] },
  ],
  populations: [
    { name: 'chat', heavy: false },
    { name: 'batch', heavy: true },
  ],
};

describe('evaluate', () => {
  it('scores accounts, clusters and populations', () => {
    const e = evaluate(truth, [
      { id: 'c1', cluster: 'x' },
      { id: 'c2', cluster: 'x' },
      { id: 'b1', cluster: 'x' },
      { id: 'b2', cluster: 'y' },
      { id: 'h9' },
    ]);
    expect(e.account).toMatchObject({ truePositives: 2, falsePositives: 3, falseNegatives: 2, unknown: 1, precision: 0.4, recall: 0.5 });
    expect(e.populations.find((p) => p.population === 'batch')).toMatchObject({ flagged: 2, accounts: 2, fpr: 1 });
    expect(e.cluster).toMatchObject({ predicted: 1, correct: 1, recovered: 1, campaigns: 2, crossProviderCampaigns: 1, crossProviderRecovered: 1 });
    expect(e.campaigns[0]).toMatchObject({ campaign: 'k1', detected: 2, clusters: 1, recovered: true, crossProvider: true });
    expect(e.campaigns[1]).toMatchObject({ campaign: 'k2', detected: 0, recovered: false, crossProvider: null });
  });

  it('counts a duplicated suspect once and reports perfect scores as 1', () => {
    const e = evaluate(truth, [{ id: 'c4' }, { id: 'c4' }, { id: 'c1', cluster: 'z' }, { id: 'c2', cluster: 'z' }, { id: 'c3', cluster: 'z' }]);
    expect(e.account.precision).toBe(1);
    expect(e.account.recall).toBe(1);
    expect(e.cluster.recall).toBe(1);
    const table = formatEvaluation(e);
    expect(table).toMatch(/^level\s+precision\s+recall\s+F1/);
    expect(table).toMatch(/batch\s+yes\s+2\s+0\s+0\.00%/);
  });
});
