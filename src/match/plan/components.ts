import { campaignIdOf, recordKey } from '../ids.js';
import { UnionFind } from '../union-find.js';
import type { Member } from './link-shape.js';

export interface LinkNode { linkId: string; formedMs: number; members: readonly Member[] }

/** A connected group of linked records: a campaign once it spans two providers. */
export interface Component {
  campaignId: string;
  /** The oldest link (by formation time, then id): the campaign is named after it. */
  foundingLinkId: string;
  foundedMs: number;
  links: LinkNode[];
  records: Member[];
  providers: string[];
}

const older = (a: LinkNode, b: LinkNode) => a.formedMs < b.formedMs || (a.formedMs === b.formedMs && a.linkId < b.linkId);

/**
 * Connected components of the record graph whose edges are `links`. The
 * naming rule makes ids a function of content: a component is named after
 * its oldest link, so growth keeps the name, a merge keeps the older
 * campaign's name, and every node holding the same links names it alike. Pure.
 */
export function components(links: readonly LinkNode[]): Component[] {
  const uf = new UnionFind();
  for (const l of links) {
    const first = l.members[0];
    if (!first) continue;
    const a = recordKey(first.provider, first.record);
    for (const m of l.members) uf.union(a, recordKey(m.provider, m.record));
  }
  const byRoot = new Map<string, Component>();
  for (const l of links) {
    const first = l.members[0];
    if (!first) continue;
    const root = uf.find(recordKey(first.provider, first.record));
    let c = byRoot.get(root);
    if (!c) byRoot.set(root, (c = { campaignId: '', foundingLinkId: l.linkId, foundedMs: l.formedMs, links: [], records: [], providers: [] }));
    c.links.push(l);
    if (older(l, { linkId: c.foundingLinkId, formedMs: c.foundedMs, members: [] })) {
      c.foundingLinkId = l.linkId;
      c.foundedMs = l.formedMs;
    }
  }
  for (const c of byRoot.values()) {
    const seen = new Map<string, Member>();
    for (const l of c.links) for (const m of l.members) seen.set(recordKey(m.provider, m.record), m);
    c.records = [...seen.values()];
    c.providers = [...new Set(c.records.map((m) => m.provider))].sort();
    c.campaignId = campaignIdOf(c.foundingLinkId);
  }
  return [...byRoot.values()];
}
