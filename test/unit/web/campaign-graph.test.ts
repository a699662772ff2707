import { describe, expect, it } from 'vitest';
import { operatorGraph, providerGraph, regulatorGraph } from '../../../src/web/views/campaign-graph.js';

const kind = (k: number) => `kind${k}`;
const links = [
  { link_id: 'l1', basis: 'token', token_kind: 6, providers: ['pa', 'pb'] },
  { link_id: 'l2', basis: 'template', token_kind: null, providers: ['pb', 'pc'] },
];
const members = [
  { link_id: 'l1', provider_id: 'pa', record_id: 'r-a1' },
  { link_id: 'l1', provider_id: 'pb', record_id: 'r-b1' },
  { link_id: 'l2', provider_id: 'pb', record_id: 'r-b1' },
  { link_id: 'l2', provider_id: 'pc', record_id: 'r-c1' },
];

describe('campaign graphs by viewer', () => {
  it('operator: every record joined to its links and provider', () => {
    const g = operatorGraph(links, members, kind);
    expect(g.nodes.filter((n) => n.kind === 'record').map((n) => n.label).sort()).toEqual(['r-a1', 'r-b1', 'r-c1']);
    expect(g.nodes.filter((n) => n.kind === 'link').map((n) => n.label).sort()).toEqual(['shared kind6', 'similar template']);
    expect(g.edges).toContainEqual({ from: 'r:pb/r-b1', to: 'l:l2' });
  });

  it('regulator: providers with record counts and provider pairs, no record ids', () => {
    const g = regulatorGraph(links, members);
    expect(g.nodes.map((n) => n.kind)).toEqual(['provider', 'provider', 'provider']);
    expect(JSON.stringify(g)).not.toMatch(/r-[abc]1/);
    expect(g.edges.map((e) => `${e.from}-${e.to}`).sort()).toEqual(['p:pa-p:pb', 'p:pb-p:pc']);
  });

  it('provider: only its own records; others as the policy names them', () => {
    const named = providerGraph('pa', [{ link_id: 'l1', basis: 'token', token_kind: 6, own_records: ['r-a1'], counterparts: ['pb'], other_count: 1 }], kind);
    expect(named.nodes.filter((n) => n.kind === 'record').map((n) => n.label)).toEqual(['r-a1']);
    expect(named.nodes.some((n) => n.id === 'p:pb')).toBe(true);
    const counted = providerGraph('pa', [{ link_id: 'l1', basis: 'token', token_kind: 6, own_records: ['r-a1'], counterparts: [], other_count: 2 }], kind);
    expect(counted.nodes.find((n) => n.kind === 'others')?.label).toBe('2 other providers');
    expect(counted.nodes.some((n) => n.id === 'p:pb')).toBe(false);
  });
});
