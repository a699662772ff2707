import { describe, expect, it } from 'vitest';
import { discloseAlert, discloseCampaign, discloseTimeline, mayKnowCampaign } from '../../../src/match/disclosure.js';
import { generateAlertIdKey } from '../../../src/crypto/alert-id-key.js';
import { campaignIdOf, KeyedIds, tokenLinkId } from '../../../src/match/ids.js';
import { components, type LinkNode } from '../../../src/match/plan/components.js';
import { formedAt } from '../../../src/match/plan/link-shape.js';
import { overlapAlerts, withdrawalAlerts } from '../../../src/match/plan/overlap-alerts.js';
import { groupTokens } from '../../../src/match/plan/token-groups.js';
import { campaignScore } from '../../../src/match/score.js';
import type { CampaignEvent, CampaignRow, StoredAlert } from '../../../src/match/types.js';
import { seededRandom } from '../../support/seeded-random.js';

const m = (provider: string, record: string, publishedMs = 0) => ({ provider, record, publishedMs });
const tok = (n: number) => new Uint8Array(32).fill(n);

describe('token groups', () => {
  it('links records holding the same token, epoch and kind — and nothing else', () => {
    const groups = groupTokens(
      [
        { epoch: 1, kind: 6, token: tok(1), member: m('p2', 'b') },
        { epoch: 1, kind: 6, token: tok(2), member: m('p2', 'c') },
        { epoch: 1, kind: 1, token: tok(3), member: m('p2', 'd') },
      ],
      [
        { epoch: 1, kind: 6, token: tok(1), member: m('p1', 'a') }, // same token: links
        { epoch: 2, kind: 6, token: tok(2), member: m('p1', 'x') }, // other epoch: never
        { epoch: 1, kind: 2, token: tok(3), member: m('p1', 'y') }, // other kind: never
      ],
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]!.held.map((x) => x.record)).toEqual(['a']);
    expect(groups[0]!.incoming.map((x) => x.record)).toEqual(['b']);
  });

  it('counts a republished record once', () => {
    expect(groupTokens([{ epoch: 1, kind: 6, token: tok(1), member: m('p1', 'a') }], [{ epoch: 1, kind: 6, token: tok(1), member: m('p1', 'a') }])).toEqual([]);
  });
});

describe('campaign components', () => {
  const links: LinkNode[] = [
    { linkId: 'l1', formedMs: 300, members: [m('p1', 'a'), m('p2', 'b')] },
    { linkId: 'l2', formedMs: 100, members: [m('p2', 'b'), m('p3', 'c')] },
    { linkId: 'l3', formedMs: 200, members: [m('p4', 'x'), m('p5', 'y')] },
  ];

  it('groups connected records and names each group after its oldest link', () => {
    const cs = components(links).sort((a, b) => a.foundedMs - b.foundedMs);
    expect(cs).toHaveLength(2);
    expect(cs[0]!.campaignId).toBe(campaignIdOf('l2'));
    expect(cs[0]!.providers).toEqual(['p1', 'p2', 'p3']);
    expect(cs[0]!.records).toHaveLength(3);
    expect(cs[1]!.campaignId).toBe(campaignIdOf('l3'));
  });

  it('names alike whatever order the links arrive in (seeded shuffles)', () => {
    const rng = seededRandom(7);
    const expected = components(links).map((c) => c.campaignId).sort();
    for (let i = 0; i < 20; i++) {
      const shuffled = [...links].sort(() => rng() - 0.5).map((l) => ({ ...l, members: [...l.members].sort(() => rng() - 0.5) }));
      expect(components(shuffled).map((c) => c.campaignId).sort()).toEqual(expected);
    }
  });

  it('dates a link from its second publication, not from arrival', () => {
    expect(formedAt([m('p1', 'a', 50), m('p2', 'b', 10), m('p3', 'c', 30)])).toBe(30);
    expect(formedAt([m('p1', 'a', 50)])).toBeUndefined();
  });
});

describe('overlap alerts', () => {
  const ids = new KeyedIds(generateAlertIdKey());
  const link = { linkId: tokenLinkId(1, 6, tok(9)), basis: 'token' as const, tokenKind: 6, token: tok(9) };

  it('alert each provider once per new counterpart, with only its own records', () => {
    const first = overlapAlerts(link, [], [m('p1', 'a'), m('p2', 'b'), m('p2', 'b2')], ids);
    expect(first.map((a) => [a.recipient, a.facts.counterpart, a.facts.own_records])).toEqual([
      ['p1', 'p2', ['a']],
      ['p2', 'p1', ['b', 'b2']],
    ]);
    // A third provider joins: it hears of both, each existing provider only of it.
    const next = overlapAlerts(link, [m('p1', 'a'), m('p2', 'b')], [m('p1', 'a'), m('p2', 'b'), m('p3', 'c')], ids);
    expect(next.map((a) => `${a.recipient}>${a.facts.counterpart}`).sort()).toEqual(['p1>p3', 'p2>p3', 'p3>p1', 'p3>p2']);
    expect(next.find((a) => a.recipient === 'p1')!.alertId).toBe(ids.alert('overlap', 'p1', link.linkId, 'p3'));
    // Another record of a provider already in the overlap is no news.
    expect(overlapAlerts(link, [m('p1', 'a'), m('p2', 'b')], [m('p1', 'a'), m('p1', 'a2'), m('p2', 'b')], ids)).toEqual([]);
  });

  it('withdraws exactly the alerts whose pair no longer holds', () => {
    const sent = overlapAlerts(link, [], [m('p1', 'a'), m('p2', 'b'), m('p3', 'c')], ids).map((a, i): StoredAlert => ({ cursor: BigInt(i), alertId: a.alertId, recipient: a.recipient, kind: 'overlap', createdMs: 0, facts: a.facts }));
    const w = withdrawalAlerts(sent, new Map([[link.linkId, new Set(['p1', 'p3'])]]), 'retracted', ids);
    expect(w.map((a) => `${a.recipient}>${a.facts.counterpart}`).sort()).toEqual(['p1>p2', 'p2>p1', 'p2>p3', 'p3>p2']);
    expect(withdrawalAlerts(sent, new Map([[link.linkId, new Set(['p1', 'p2', 'p3'])]]), 'x', ids)).toEqual([]);
  });
});

describe('disclosure policy, from each role', () => {
  const alert: StoredAlert = { cursor: 1n, alertId: 'al-1', recipient: 'p1', kind: 'overlap', createdMs: 0, facts: { other_providers: ['p2', 'p3'], counterpart: 'p2', own_records: ['a'] } };
  const row = { campaign_id: 'cp-1', providers: ['p1', 'p2', 'p3'] } as CampaignRow;

  it('gives a provider its own alerts only, with names or only their number', () => {
    expect(discloseAlert(alert, { id: 'p2', role: 'provider' }, { disclosure: 'names', regulator_min_providers: 2 })).toBeUndefined();
    const named = discloseAlert(alert, { id: 'p1', role: 'provider' }, { disclosure: 'names', regulator_min_providers: 2 })!;
    expect(named.facts.other_providers).toEqual(['p2', 'p3']);
    const counted = discloseAlert(alert, { id: 'p1', role: 'provider' }, { disclosure: 'count', regulator_min_providers: 2 })!;
    expect(counted.facts.other_providers).toBeUndefined();
    expect(counted.facts.counterpart).toBeUndefined();
    expect(counted.facts.other_provider_count).toBe(2);
    expect(discloseAlert(alert, { id: 'reg', role: 'regulator' }, { disclosure: 'names', regulator_min_providers: 2 })).toBeUndefined();
  });

  it('shows a campaign to its providers, to the regulator from k providers on, and to consortium members', () => {
    const names = { disclosure: 'names' as const, regulator_min_providers: 3 };
    expect(discloseCampaign(row, [], { id: 'p4', role: 'provider' }, names)).toBeUndefined();
    expect(discloseCampaign(row, ['a'], { id: 'p1', role: 'provider' }, { ...names, disclosure: 'count' })!.providers).toEqual(['p1']);
    expect(discloseCampaign(row, ['a'], { id: 'p1', role: 'provider' }, names)!.providers).toEqual(['p1', 'p2', 'p3']);
    expect(discloseCampaign(row, [], { id: 'reg', role: 'regulator' }, names)!.provider_count).toBe(3);
    expect(discloseCampaign(row, [], { id: 'reg', role: 'regulator' }, { ...names, regulator_min_providers: 4 })).toBeUndefined();
    expect(discloseCampaign(row, [], { id: 'c1', role: 'consortium' }, names)).toBeDefined();
  });
});

describe('campaign timelines, from each role', () => {
  const names = { disclosure: 'names' as const, regulator_min_providers: 3 };
  // cp-z (p3, p4) was absorbed by cp-x; cp-y (p1, p5, p6) too.
  const rows = new Map<string, CampaignRow>([
    ['cp-z', { campaign_id: 'cp-z', status: 'merged', merged_into: 'cp-x', providers: ['p3', 'p4'] } as CampaignRow],
    ['cp-y', { campaign_id: 'cp-y', status: 'merged', merged_into: 'cp-x', providers: ['p1', 'p5', 'p6'] } as CampaignRow],
  ]);
  const at = new Date(0);
  const events: CampaignEvent[] = [
    { at, kind: 'formed', detail: { providers: 2 } },
    { at, kind: 'merged', detail: { from: ['cp-z', 'cp-y'] } },
    { at, kind: 'merged_into', detail: { into: 'cp-z' } },
  ];
  const seen = (viewer: { id: string; role: 'provider' | 'regulator' | 'consortium' }) =>
    discloseTimeline(events, (id) => rows.has(id) && mayKnowCampaign(rows.get(id)!, false, viewer, names));

  it('names an absorbed campaign only to who may know it: its providers as it was absorbed, the regulator from k on, the operator', () => {
    expect(seen({ id: 'p1', role: 'provider' }).map((e) => [e.kind, e.detail])).toEqual([['formed', { providers: 2 }], ['merged', { from: ['cp-y'] }]]);
    expect(seen({ id: 'p3', role: 'provider' }).find((e) => e.kind === 'merged')!.detail.from).toEqual(['cp-z']);
    // A provider in neither absorbed campaign does not learn a merge happened.
    expect(seen({ id: 'p2', role: 'provider' }).map((e) => e.kind)).toEqual(['formed']);
    expect(seen({ id: 'reg', role: 'regulator' }).find((e) => e.kind === 'merged')!.detail.from).toEqual(['cp-y']);
    expect(seen({ id: 'c1', role: 'consortium' })).toEqual(events);
  });
});

describe('keyed ids', () => {
  it('agree under one alert-id key and differ under another', () => {
    const key = generateAlertIdKey();
    const [a, b, other] = [new KeyedIds(key), new KeyedIds(Uint8Array.from(key)), new KeyedIds(generateAlertIdKey())];
    expect(a.alert('overlap', 'p1', 'lt-1', 'p2')).toMatch(/^al-[0-9a-f]{32}$/);
    expect(a.alert('overlap', 'p1', 'lt-1', 'p2')).toBe(b.alert('overlap', 'p1', 'lt-1', 'p2'));
    expect(a.alert('overlap', 'p1', 'lt-1', 'p2')).not.toBe(a.alert('overlap', 'p1', 'lt-1', 'p3'));
    expect(a.alert('overlap', 'p1', 'lt-1', 'p2')).not.toBe(other.alert('overlap', 'p1', 'lt-1', 'p2'));
    const [r1, r2] = [{ provider: 'p1', record: 'a' }, { provider: 'p2', record: 'b' }];
    expect(a.templateLink(1, r1, r2)).toMatch(/^lm-[0-9a-f]{32}$/);
    expect(a.templateLink(1, r1, r2)).toBe(b.templateLink(1, r2, r1));
    expect(a.templateLink(1, r1, r2)).not.toBe(other.templateLink(1, r1, r2));
  });
});

describe('campaign score', () => {
  const base = { providers: 2, accounts: 4, tokenKinds: 1, maxSimilarity: 0, meanProviderScore: 0.5, confirmed: 0, falsePositive: 0 };
  it('rises with breadth and confirmations, falls with false positives, stays in [0, 1]', () => {
    expect(campaignScore({ ...base, providers: 3 })).toBeGreaterThan(campaignScore(base));
    expect(campaignScore({ ...base, confirmed: 1 })).toBeGreaterThan(campaignScore(base));
    expect(campaignScore({ ...base, falsePositive: 1 })).toBeLessThan(campaignScore(base));
    expect(campaignScore({ ...base, falsePositive: 10 })).toBe(0);
    expect(campaignScore({ providers: 9, accounts: 1e6, tokenKinds: 9, maxSimilarity: 1, meanProviderScore: 1, confirmed: 9, falsePositive: 0 })).toBe(1);
  });
});
