import type { TransactionSql } from 'postgres';
import { readBatchInput, type BatchInput } from './batch-input.js';
import { recordKey, tokenLinkId } from './ids.js';
import type { MatchEnv } from './match-env.js';
import { formedAt, providersOf, type Member } from './plan/link-shape.js';
import { overlapAlerts, withdrawalAlerts, type LinkFacts } from './plan/overlap-alerts.js';
import { similarTemplatePairs, type TemplateCandidate } from './plan/template-pairs.js';
import type { TokenGroup } from './plan/token-groups.js';
import { reconcileCampaigns } from './reconcile.js';
import type { MatchRules } from './rules.js';
import { overlapAlertsOf, type NewAlert } from './store/alerts.js';
import { groupBy } from './group-by.js';
import { addMembers, linksById, membersOf, memberOfRow, removeAllMembers, setLinkShape, upsertLinks } from './store/links.js';
import { findBandPostings, insertBandPostings } from './store/bands.js';
import { excludeToken } from './store/excluded-tokens.js';
import { linkTokenGroups, type ExcludedTokens, type IndexUpdate } from './link-tokens.js';
import type { TokenIndex } from './token-index.js';
import { latestRecords, markMatched, type PendingBatch } from './store/records.js';
import { OPERATOR_RECIPIENT } from './types.js';
import { withdrawRecords } from './withdraw.js';

interface LinkChange { facts: LinkFacts; epoch: number; before: Member[]; after: Member[] }

/**
 * Matches one accepted batch, inside the caller's transaction: its
 * retractions withdraw what depended on the records; its records are indexed
 * and linked to what other records share (tokens, similar templates); the
 * campaigns touched are reconciled; the alerts are returned for the caller to
 * insert in the same transaction. A batch that links nothing costs a read by
 * primary key and one indexing statement.
 */
export interface Matched { alerts: NewAlert[]; index: IndexUpdate }

export async function matchBatch(tx: TransactionSql, batch: PendingBatch, rules: MatchRules, index: TokenIndex, excluded: ExcludedTokens, env: MatchEnv): Promise<Matched> {
  const input = await readBatchInput(tx, batch.provider_id, batch.seq, rules);
  const alerts: NewAlert[] = [];
  const changedCampaigns = new Set<string>();
  const update: IndexUpdate = { add: input.accounts, withdraw: input.retracted.map((record) => ({ provider: batch.provider_id, record })), exclude: [] };

  const withdrawn = await withdrawRecords(tx, input.retracted.map((record) => ({ provider: batch.provider_id, record })), 'retracted', env.ids);
  alerts.push(...withdrawn.alerts);
  for (const c of withdrawn.campaigns) changedCampaigns.add(c);

  const changes = new Map<string, LinkChange>();
  const groups = await linkTokenGroups(tx, input, index, excluded, env.participates);
  const existing = await linksById(tx, groups.map((g) => tokenLinkId(g.epoch, g.kind, g.token)));
  const existingMembers = await membersOf(tx, [...existing.keys()]);
  for (const g of groups) {
    const id = tokenLinkId(g.epoch, g.kind, g.token);
    const before = existing.get(id)?.withdrawn_at ? [] : existingMembers.filter((m) => m.link_id === id).map(memberOfRow);
    const after = dedupe([...before, ...g.held, ...g.incoming]);
    if (after.length > rules.quarantineRecords) {
      const q = await quarantineToken(tx, g, id, after.length, existing.has(id), env);
      update.exclude.push({ epoch: g.epoch, kind: g.kind, token: g.token });
      alerts.push(...q.alerts);
      for (const c of q.campaigns) changedCampaigns.add(c);
      continue;
    }
    changes.set(id, { facts: { linkId: id, basis: 'token', tokenKind: g.kind, token: g.token }, epoch: g.epoch, before, after });
  }
  for (const pair of await linkTemplates(tx, input, rules, env)) {
    const id = env.ids.templateLink(pair.epoch, pair.a, pair.b);
    if (!changes.has(id)) changes.set(id, { facts: { linkId: id, basis: 'template', similarity: pair.similarity }, epoch: pair.epoch, before: [], after: [pair.a, pair.b] });
  }

  await upsertLinks(tx, [...changes].map(([id, c]) => ({
    link_id: id, epoch: c.epoch, basis: c.facts.basis, token_kind: c.facts.tokenKind ?? null, token: c.facts.token ?? null, similarity: c.facts.similarity ?? null,
    providers: providersOf(c.after), record_count: c.after.length, formed_at: new Date(formedAt(c.after)!),
  })));
  await addMembers(tx, [...changes].flatMap(([id, c]) => {
    const had = new Set(c.before.map((m) => recordKey(m.provider, m.record)));
    return c.after.filter((m) => !had.has(recordKey(m.provider, m.record))).map((m) => ({ link_id: id, provider_id: m.provider, record_id: m.record, published_at: new Date(m.publishedMs) }));
  }));

  const reconciled = await reconcileCampaigns(tx, new Set(changes.keys()), changedCampaigns, env);
  alerts.push(...reconciled.alerts);
  // A link keeps a suspended or revoked provider's records as history, but alerts pair participating providers only (match-env.ts).
  const live = (ms: readonly Member[]) => ms.filter((m) => env.participates(m.provider));
  for (const [id, c] of changes) {
    const campaign = reconciled.campaignOfLink.get(id);
    if (campaign) {
      c.facts.campaignId = campaign.id;
      c.facts.campaign = campaign;
    }
    alerts.push(...overlapAlerts(c.facts, live(c.before), live(c.after), env.ids));
  }
  await markMatched(tx, batch.provider_id, batch.seq);
  return { alerts, index: update };
}

function dedupe(members: readonly Member[]): Member[] {
  const out = new Map<string, Member>();
  for (const m of members) {
    const key = recordKey(m.provider, m.record);
    const had = out.get(key);
    if (!had || m.publishedMs < had.publishedMs) out.set(key, m);
  }
  return [...out.values()];
}

/**
 * Writes the batch's band postings and returns its templates' similar pairs
 * (verified on the full signatures). Only participating providers' templates
 * pair (match-env.ts); the postings are written all the same, so a provider
 * active again is matched against.
 */
async function linkTemplates(tx: TransactionSql, input: BatchInput, rules: MatchRules, env: MatchEnv) {
  if (input.templates.length === 0) return [];
  const bands = input.templates.flatMap((t) => t.bkeys.map((bkey) => ({ bkey, epoch: t.epoch, provider_id: input.providerId, record_id: t.member.record, published_ms: input.publishedMs, expires_ms: t.expiresMs })));
  const hits = await findBandPostings(tx, [...new Set(bands.map((b) => b.bkey))]);
  await insertBandPostings(tx, bands);
  if (!env.participates(input.providerId)) return [];
  const byRecord = groupBy(hits.filter((h) => env.participates(h.provider_id)), (h) => recordKey(h.provider_id, h.record_id));
  const held: TemplateCandidate[] = [];
  for (const rec of await latestRecords(tx, [...byRecord.values()].map((h) => ({ provider: h[0]!.provider_id, record: h[0]!.record_id })))) {
    if (!rec.minhash) continue;
    const h = byRecord.get(recordKey(rec.provider_id, rec.record_id))!;
    held.push({ member: { provider: rec.provider_id, record: rec.record_id, publishedMs: h[0]!.published_ms }, epoch: rec.epoch, minhash: rec.minhash, bkeys: h.map((x) => x.bkey) });
  }
  return similarTemplatePairs(input.templates, held, rules.templateThreshold);
}

/**
 * A token linking more records than any plausible campaign: it stops
 * linking anything (excluded, postings deleted, its link withdrawn) and the
 * consortium operator is alerted so the manifest's never-match list can take it.
 */
async function quarantineToken(tx: TransactionSql, g: TokenGroup, linkId: string, records: number, linked: boolean, env: MatchEnv) {
  await excludeToken(tx, { epoch: g.epoch, kind: g.kind, token: g.token, reason: 'quarantine', recordCount: records });
  const campaigns = new Set<string>();
  const alerts: NewAlert[] = [{
    alertId: env.ids.alert('quarantine', OPERATOR_RECIPIENT, g.epoch, g.kind, Buffer.from(g.token).toString('hex')),
    recipient: OPERATOR_RECIPIENT,
    kind: 'quarantine',
    linkId,
    facts: { link_id: linkId, token_kind: g.kind, token: Buffer.from(g.token).toString('hex'), record_count: records, reason: 'links an implausible number of records' },
  }];
  if (linked) {
    const link = (await linksById(tx, [linkId])).get(linkId)!;
    await removeAllMembers(tx, linkId);
    await setLinkShape(tx, linkId, [], 0, link.formed_at, true);
    if (link.campaign_id) campaigns.add(link.campaign_id);
    alerts.push(...withdrawalAlerts(await overlapAlertsOf(tx, [linkId]), new Map([[linkId, new Set<string>()]]), 'quarantined', env.ids));
  }
  return { alerts, campaigns };
}
