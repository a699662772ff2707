import type { TransactionSql } from 'postgres';
import { recordKey } from './ids.js';
import type { MatchEnv } from './match-env.js';
import { components, type Component, type LinkNode } from './plan/components.js';
import { campaignScore } from './score.js';
import type { NewAlert } from './store/alerts.js';
import {
  addEvents, assignRecords, campaignOfRecords, campaignRecordRefs, campaignsById, feedbackCounts, setCampaignStatus, unassignRecords, upsertCampaigns,
} from './store/campaigns.js';
import { groupBy } from './group-by.js';
import { campaignLinks, linksById, membersOf, memberOfRow, setLinksCampaign, type LinkRow } from './store/links.js';
import { latestRecords, type MatchRecord } from './store/records.js';
import type { CampaignRow } from './types.js';

/** A campaign as it stands after reconciling, for the alerts that mention it. */
export interface CampaignFacts { id: string; providers: number; records: number; score: number }

export interface Reconciled {
  /** link id → the campaign it now belongs to. */
  campaignOfLink: Map<string, CampaignFacts>;
  alerts: NewAlert[];
}

/** Growth alerts fire when a campaign's record count reaches a power of two from this size on. */
const FIRST_RECORD_MILESTONE = 4;
const milestoneOf = (n: number) => (n < FIRST_RECORD_MILESTONE ? 0 : 2 ** Math.floor(Math.log2(n)));


/**
 * Brings campaigns up to date after links changed: recomputes the connected
 * groups that contain the changed links or belonged to the given campaigns —
 * only those, never the whole graph — then merges, splits, renames (a group
 * is named after its oldest link, see plan/components.ts), withdraws and
 * rescores, and writes the timeline and growth alerts.
 */
export async function reconcileCampaigns(tx: TransactionSql, changedLinks: ReadonlySet<string>, changedCampaigns: ReadonlySet<string>, env: MatchEnv): Promise<Reconciled> {
  const out: Reconciled = { campaignOfLink: new Map(), alerts: [] };
  const linkRows = await linksById(tx, [...changedLinks]);
  const members = await membersOf(tx, [...changedLinks]);
  const affected = new Set(changedCampaigns);
  for (const l of linkRows.values()) if (l.campaign_id) affected.add(l.campaign_id);
  for (const c of await campaignOfRecords(tx, members.map((m) => m.provider_id), members.map((m) => m.record_id))) affected.add(c.campaign_id);

  // The subgraph: changed links and every active link of the affected campaigns.
  const nodes = new Map<string, LinkNode>();
  const rows = new Map<string, LinkRow>(linkRows);
  const grouped = groupBy(members, (m) => m.link_id, memberOfRow);
  for (const [id, row] of linkRows) if (!row.withdrawn_at) nodes.set(id, { linkId: id, formedMs: row.formed_at.getTime(), members: grouped.get(id) ?? [] });
  const previousRecords = new Map<string, { provider: string; record: string }[]>();
  for (const c of affected) {
    const { links, members: cm } = await campaignLinks(tx, c);
    const g = groupBy(cm, (m) => m.link_id, memberOfRow);
    for (const l of links) {
      rows.set(l.link_id, l);
      if (!nodes.has(l.link_id)) nodes.set(l.link_id, { linkId: l.link_id, formedMs: l.formed_at.getTime(), members: g.get(l.link_id) ?? [] });
    }
    previousRecords.set(c, (await campaignRecordRefs(tx, c)).map((r) => ({ provider: r.provider_id, record: r.record_id })));
  }

  const comps = components([...nodes.values()].filter((n) => n.members.length >= 2));
  const before = await campaignsById(tx, [...new Set([...affected, ...comps.map((c) => c.campaignId)])]);
  const placed = new Set<string>();
  const events: { campaignId: string; kind: string; detail: Record<string, unknown> }[] = [];

  const records = new Map((await latestRecords(tx, comps.flatMap((c) => c.records))).map((r) => [recordKey(r.provider_id, r.record_id), r]));
  const campaignRows = comps.map((comp) => campaignRow(comp, rows, records));
  await assignRecords(tx, comps.flatMap((c) => c.records.map((r) => ({ campaignId: c.campaignId, provider: r.provider, record: r.record }))));
  await setLinksCampaign(tx, comps.flatMap((c) => c.links.map((l) => ({ linkId: l.linkId, campaignId: c.campaignId }))));
  const feedback = await feedbackCounts(tx, comps.map((c) => c.campaignId));
  for (const row of campaignRows) {
    const fb = feedback.get(row.campaign_id);
    row.confirmed = fb?.confirmed ?? 0;
    row.false_positive = fb?.false_positive ?? 0;
    row.score = scoreOf(row);
  }
  await upsertCampaigns(tx, campaignRows);

  for (const [i, comp] of comps.entries()) {
    const row = campaignRows[i]!;
    const old = before.get(comp.campaignId);
    for (const r of comp.records) placed.add(recordKey(r.provider, r.record));
    const facts: CampaignFacts = { id: comp.campaignId, providers: row.providers.length, records: row.record_count, score: row.score };
    for (const l of comp.links) out.campaignOfLink.set(l.linkId, facts);

    const absorbed = [...affected].filter((c) => c !== comp.campaignId && (previousRecords.get(c) ?? []).some((r) => placed.has(recordKey(r.provider, r.record)) && comp.records.some((m) => m.provider === r.provider && m.record === r.record)));
    if (!old || old.status !== 'active') events.push({ campaignId: comp.campaignId, kind: 'formed', detail: { providers: row.providers.length, records: row.record_count, founding_link: comp.foundingLinkId } });
    if (absorbed.length > 0) {
      await setCampaignStatus(tx, absorbed, 'merged', comp.campaignId);
      events.push({ campaignId: comp.campaignId, kind: 'merged', detail: { from: absorbed } });
      for (const a of absorbed) events.push({ campaignId: a, kind: 'merged_into', detail: { into: comp.campaignId } });
    }
    if (old && old.status === 'active' && old.record_count !== row.record_count) events.push({ campaignId: comp.campaignId, kind: row.record_count > old.record_count ? 'grew' : 'shrank', detail: { records: row.record_count, providers: row.providers.length } });
    out.alerts.push(...growthAlerts(old, row, env));
  }

  // Affected campaigns no group took over are withdrawn; records no group holds leave campaigns.
  const survivors = new Set(comps.map((c) => c.campaignId));
  const gone = [...affected].filter((c) => !survivors.has(c) && before.get(c)?.status === 'active' && !events.some((e) => e.kind === 'merged_into' && e.campaignId === c));
  await setCampaignStatus(tx, gone, 'withdrawn', null);
  for (const c of gone) events.push({ campaignId: c, kind: 'withdrawn', detail: {} });
  const orphans = [...previousRecords.values()].flat().filter((r) => !placed.has(recordKey(r.provider, r.record)));
  await unassignRecords(tx, orphans);
  await addEvents(tx, events);
  return out;
}

/** A group's campaign row from its links and records (pure; feedback and score are filled in by the caller). */
function campaignRow(comp: Component, links: ReadonlyMap<string, LinkRow>, records: ReadonlyMap<string, MatchRecord>): CampaignRow {
  const recs = comp.records.flatMap((m) => records.get(recordKey(m.provider, m.record)) ?? []);
  const tokenKinds = new Set<number>();
  let maxSimilarity = 0;
  let epoch = 0;
  for (const l of comp.links) {
    const row = links.get(l.linkId);
    if (!row) continue;
    epoch = row.epoch;
    if (row.basis === 'token' && row.token_kind !== null) tokenKinds.add(row.token_kind);
    if (row.basis === 'template' && row.similarity !== null) maxSimilarity = Math.max(maxSimilarity, row.similarity);
  }
  const now = Date.now();
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    campaign_id: comp.campaignId, epoch, status: 'active', merged_into: null,
    providers: comp.providers, record_count: comp.records.length,
    account_count: recs.filter((r) => r.kind === 1).length,
    template_count: recs.filter((r) => r.kind === 2).length,
    token_kinds: [...tokenKinds].sort((a, b) => a - b),
    max_similarity: round3(maxSimilarity),
    mean_provider_score: recs.length ? round3(recs.reduce((sum, r) => sum + r.score, 0) / recs.length) : 0,
    confirmed: 0, false_positive: 0, score: 0,
    labels: [...new Set(recs.flatMap((r) => r.labels))].sort(),
    first_seen: new Date(Math.min(now, ...recs.map((r) => r.first_seen.getTime()))),
    last_seen: new Date(Math.max(0, ...recs.map((r) => r.last_seen.getTime()))),
    founded_at: new Date(comp.foundedMs),
    updated_at: new Date(now),
  };
}

export function scoreOf(row: CampaignRow): number {
  return campaignScore({
    providers: row.providers.length, accounts: row.account_count, tokenKinds: row.token_kinds.length, maxSimilarity: row.max_similarity,
    meanProviderScore: row.mean_provider_score, confirmed: row.confirmed, falsePositive: row.false_positive,
  });
}

/**
 * Campaign growth, told to every participating provider in it (match-env.ts:
 * no alert goes to or names a suspended or revoked provider; the counts are
 * the campaign's, history included): another provider joined an already
 * cross-provider campaign, or its size reached the next power of two. Ids
 * carry the milestone, so each fires once per campaign and recipient.
 */
function growthAlerts(old: CampaignRow | undefined, row: CampaignRow, env: MatchEnv): NewAlert[] {
  if (row.providers.length < 2) return [];
  const milestones: string[] = [];
  const oldProviders = old?.status === 'active' ? old.providers : [];
  if (oldProviders.length >= 2 && row.providers.some((p) => !oldProviders.includes(p))) milestones.push(`providers:${row.providers.length}`);
  const m = milestoneOf(row.record_count);
  if (m > 0 && m > milestoneOf(old?.status === 'active' ? old.record_count : 0)) milestones.push(`records:${m}`);
  const told = row.providers.filter(env.participates);
  return milestones.flatMap((milestone) =>
    told.map((p) => ({
      alertId: env.ids.alert('campaign_growth', p, row.campaign_id, milestone),
      recipient: p,
      kind: 'campaign_growth' as const,
      campaignId: row.campaign_id,
      facts: {
        campaign_id: row.campaign_id, milestone, campaign_providers: row.providers.length, campaign_records: row.record_count, campaign_score: row.score,
        other_providers: told.filter((x) => x !== p),
      },
    })),
  );
}
