import type { Evaluation } from './metrics.js';

/** The evaluation as aligned text tables for a terminal. Pure. */
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const f3 = (x: number): string => x.toFixed(3);

function table(header: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function formatEvaluation(e: Evaluation): string {
  const a = e.account;
  const c = e.cluster;
  const out: string[] = [];
  out.push(
    ...table(
      ['level', 'precision', 'recall', 'F1', 'detail'],
      [
        ['account', f3(a.precision), f3(a.recall), f3(a.f1), `${a.flagged} flagged: ${a.truePositives} campaign, ${a.falsePositives} benign${a.unknown ? ` (${a.unknown} not in truth)` : ''}; ${a.campaignAccounts} campaign accounts`],
        ['cluster', f3(c.precision), f3(c.recall), f3(c.f1), `${c.correct}/${c.predicted} multi-account clusters mostly one campaign; ${c.recovered}/${c.campaigns} campaigns recovered, ${c.crossProviderRecovered}/${c.crossProviderCampaigns} across providers`],
      ],
      new Set([1, 2, 3]),
    ),
  );
  out.push('');
  out.push(
    ...table(
      ['population', 'heavy use', 'accounts', 'flagged', 'FPR'],
      e.populations.map((p) => [p.population, p.heavy ? 'yes' : 'no', String(p.accounts), String(p.flagged), pct(p.fpr)]),
      new Set([2, 3, 4]),
    ),
  );
  out.push('');
  out.push(
    ...table(
      ['campaign', 'stealth', 'providers', 'accounts', 'detected', 'recall', 'clusters', 'largest', 'recovered'],
      e.campaigns.map((r) => [r.campaign, r.stealth.toFixed(2), String(r.providers), String(r.accounts), String(r.detected), f3(r.recall), String(r.clusters), pct(r.largestShare), r.recovered ? (r.crossProvider ? 'yes, across providers' : 'yes') : 'no']),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  return out.join('\n');
}
