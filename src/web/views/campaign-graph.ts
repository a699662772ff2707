import type { Graph, GraphEdge, GraphNode } from './view-types.js';

/**
 * The record graph of one campaign, shaped by who looks (pure; callers pass
 * only what the viewer may see):
 * - consortium: every record, joined to the links (shared token or similar
 *   template) that tie it to records at other providers;
 * - regulator: providers only, sized by their record count, an edge per pair
 *   of providers the links join (no record ids);
 * - provider: its own records, joined to each link, and the link to the
 *   other side as the policy names it (a provider, or "other providers").
 */
export interface LinkFacts { link_id: string; basis: string; token_kind: number | null; providers: string[] }
export interface MemberFacts { link_id: string; provider_id: string; record_id: string }

/** Cap on drawn records: a browser draws a few hundred nodes legibly, not thousands. */
export const MAX_GRAPH_RECORDS = 300;

const providerNode = (p: string): GraphNode => ({ id: `p:${p}`, label: p, kind: 'provider', provider: p });
const linkLabel = (l: Pick<LinkFacts, 'basis' | 'token_kind'>, kindName: (k: number) => string) =>
  l.basis === 'template' ? 'similar template' : `shared ${kindName(l.token_kind ?? 0)}`;

export function operatorGraph(links: readonly LinkFacts[], members: readonly MemberFacts[], kindName: (k: number) => string): Graph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const shown = members.slice(0, MAX_GRAPH_RECORDS);
  const byId = new Map(links.map((l) => [l.link_id, l]));
  for (const m of shown) {
    const link = byId.get(m.link_id);
    if (!link) continue;
    const rid = `r:${m.provider_id}/${m.record_id}`;
    if (!nodes.has(`p:${m.provider_id}`)) nodes.set(`p:${m.provider_id}`, providerNode(m.provider_id));
    if (!nodes.has(rid)) {
      nodes.set(rid, { id: rid, label: m.record_id, kind: 'record', provider: m.provider_id });
      edges.push({ from: `p:${m.provider_id}`, to: rid });
    }
    const lid = `l:${link.link_id}`;
    if (!nodes.has(lid)) nodes.set(lid, { id: lid, label: linkLabel(link, kindName), kind: 'link' });
    edges.push({ from: rid, to: lid });
  }
  return { nodes: [...nodes.values()], edges };
}

export function regulatorGraph(links: readonly LinkFacts[], members: readonly MemberFacts[]): Graph {
  const counts = new Map<string, Set<string>>();
  for (const m of members) (counts.get(m.provider_id) ?? counts.set(m.provider_id, new Set()).get(m.provider_id)!).add(m.record_id);
  const nodes: GraphNode[] = [...counts].map(([p, records]) => ({ ...providerNode(p), weight: records.size, label: `${p} (${records.size})` }));
  const pairs = new Map<string, number>();
  for (const l of links) {
    const ps = [...new Set(l.providers)].sort();
    for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) pairs.set(`${ps[i]}\n${ps[j]}`, (pairs.get(`${ps[i]}\n${ps[j]}`) ?? 0) + 1);
  }
  const edges = [...pairs].map(([k, n]) => {
    const [a, b] = k.split('\n') as [string, string];
    return { from: `p:${a}`, to: `p:${b}`, label: `${n} link${n === 1 ? '' : 's'}` };
  });
  return { nodes, edges };
}

/** What a provider knows of one overlap: from the alerts it received (already disclosed to it). */
export interface OverlapFacts { link_id: string; basis: string; token_kind: number; own_records: string[]; counterparts: string[]; other_count: number }

export function providerGraph(self: string, overlaps: readonly OverlapFacts[], kindName: (k: number) => string): Graph {
  const nodes = new Map<string, GraphNode>([[`p:${self}`, providerNode(self)]]);
  const edges: GraphEdge[] = [];
  for (const o of overlaps) {
    const lid = `l:${o.link_id}`;
    if (!nodes.has(lid)) nodes.set(lid, { id: lid, label: linkLabel({ basis: o.basis, token_kind: o.token_kind }, kindName), kind: 'link' });
    for (const r of o.own_records.slice(0, MAX_GRAPH_RECORDS)) {
      const rid = `r:${self}/${r}`;
      if (!nodes.has(rid)) {
        nodes.set(rid, { id: rid, label: r, kind: 'record', provider: self });
        edges.push({ from: `p:${self}`, to: rid });
      }
      edges.push({ from: rid, to: lid });
    }
    if (o.counterparts.length > 0) {
      for (const c of o.counterparts) {
        if (!nodes.has(`p:${c}`)) nodes.set(`p:${c}`, providerNode(c));
        edges.push({ from: lid, to: `p:${c}` });
      }
    } else {
      const label = o.other_count > 0 ? `${o.other_count} other provider${o.other_count === 1 ? '' : 's'}` : 'other providers';
      if (!nodes.has('o:others')) nodes.set('o:others', { id: 'o:others', label, kind: 'others' });
      edges.push({ from: lid, to: 'o:others' });
    }
  }
  return { nodes: [...nodes.values()], edges };
}
