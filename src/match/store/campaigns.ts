import type { Sql, TransactionSql } from 'postgres';
import type { CampaignEvent, CampaignRow } from '../types.js';

type Tx = TransactionSql | Sql;

export async function campaignsById(tx: Tx, ids: readonly string[]): Promise<Map<string, CampaignRow>> {
  if (ids.length === 0) return new Map();
  const rows = await tx<CampaignRow[]>`SELECT * FROM campaigns WHERE campaign_id = ANY(${ids as string[]}::text[])`;
  return new Map(rows.map((r) => [r.campaign_id, r]));
}

/** campaign_id of each record that belongs to one. */
export async function campaignOfRecords(tx: Tx, providerIds: readonly string[], recordIds: readonly string[]): Promise<{ provider_id: string; record_id: string; campaign_id: string }[]> {
  if (recordIds.length === 0) return [];
  return tx`
    SELECT c.provider_id, c.record_id, c.campaign_id
    FROM unnest(${providerIds as string[]}::text[], ${recordIds as string[]}::text[]) AS k(provider_id, record_id)
    JOIN campaign_records c ON c.provider_id = k.provider_id AND c.record_id = k.record_id`;
}

export async function campaignRecordRefs(tx: Tx, campaignId: string): Promise<{ provider_id: string; record_id: string }[]> {
  return tx`SELECT provider_id, record_id FROM campaign_records WHERE campaign_id = ${campaignId}`;
}

export async function assignRecords(tx: Tx, refs: readonly { campaignId: string; provider: string; record: string }[]): Promise<void> {
  if (refs.length === 0) return;
  await tx`
    INSERT INTO campaign_records (provider_id, record_id, campaign_id)
    SELECT * FROM unnest(${refs.map((x) => x.provider)}::text[], ${refs.map((x) => x.record)}::text[], ${refs.map((x) => x.campaignId)}::text[])
    ON CONFLICT (provider_id, record_id) DO UPDATE SET campaign_id = EXCLUDED.campaign_id`;
}

export async function unassignRecords(tx: Tx, refs: readonly { provider: string; record: string }[]): Promise<void> {
  if (refs.length === 0) return;
  await tx`
    DELETE FROM campaign_records c USING unnest(${refs.map((x) => x.provider)}::text[], ${refs.map((x) => x.record)}::text[]) AS k(p, r)
    WHERE c.provider_id = k.p AND c.record_id = k.r`;
}

export async function upsertCampaigns(tx: Tx, rows: readonly CampaignRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    INSERT INTO campaigns ${tx(rows as never[])}
    ON CONFLICT (campaign_id) DO UPDATE SET
      status = EXCLUDED.status, merged_into = EXCLUDED.merged_into, providers = EXCLUDED.providers,
      record_count = EXCLUDED.record_count, account_count = EXCLUDED.account_count, template_count = EXCLUDED.template_count,
      token_kinds = EXCLUDED.token_kinds, max_similarity = EXCLUDED.max_similarity, mean_provider_score = EXCLUDED.mean_provider_score,
      confirmed = EXCLUDED.confirmed, false_positive = EXCLUDED.false_positive, score = EXCLUDED.score, labels = EXCLUDED.labels,
      first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, founded_at = EXCLUDED.founded_at, updated_at = EXCLUDED.updated_at`;
}

export async function setCampaignStatus(tx: Tx, ids: readonly string[], status: CampaignRow['status'], mergedInto: string | null): Promise<void> {
  if (ids.length === 0) return;
  await tx`UPDATE campaigns SET status = ${status}, merged_into = ${mergedInto}, updated_at = now() WHERE campaign_id = ANY(${ids as string[]}::text[])`;
}

export async function addEvents(tx: Tx, events: readonly { campaignId: string; kind: string; detail: Record<string, unknown> }[]): Promise<void> {
  if (events.length === 0) return;
  await tx`
    INSERT INTO campaign_events (campaign_id, kind, detail)
    SELECT c, k, d::jsonb FROM unnest(${events.map((e) => e.campaignId)}::text[], ${events.map((e) => e.kind)}::text[], ${events.map((e) => JSON.stringify(e.detail))}::text[]) AS e(c, k, d)`;
}

export async function campaignEvents(tx: Tx, campaignId: string, limit = 500): Promise<CampaignEvent[]> {
  return tx<CampaignEvent[]>`SELECT at, kind, detail FROM campaign_events WHERE campaign_id = ${campaignId} ORDER BY id LIMIT ${limit}`;
}

export interface FeedbackCounts { confirmed: number; false_positive: number }

/** Feedback counts over each campaign's active links (campaigns without feedback are absent). */
export async function feedbackCounts(tx: Tx, campaignIds: readonly string[]): Promise<Map<string, FeedbackCounts>> {
  if (campaignIds.length === 0) return new Map();
  const rows = await tx<(FeedbackCounts & { campaign_id: string })[]>`
    SELECT l.campaign_id, count(*) FILTER (WHERE f.verdict = 'confirmed')::int AS confirmed, count(*) FILTER (WHERE f.verdict = 'false_positive')::int AS false_positive
    FROM feedback f JOIN links l ON l.link_id = f.link_id AND l.withdrawn_at IS NULL
    WHERE l.campaign_id = ANY(${campaignIds as string[]}::text[])
    GROUP BY l.campaign_id`;
  return new Map(rows.map((r) => [r.campaign_id, { confirmed: r.confirmed, false_positive: r.false_positive }]));
}

export interface CampaignListOptions { minProviders: number; provider?: string; status?: CampaignRow['status']; limit: number; afterScore?: number }

/** Active campaigns spanning ≥ minProviders, optionally only those a provider is in, best first. */
export async function listCampaigns(tx: Tx, o: CampaignListOptions): Promise<CampaignRow[]> {
  return tx<CampaignRow[]>`
    SELECT * FROM campaigns
    WHERE status = ${o.status ?? 'active'} AND cardinality(providers) >= ${o.minProviders}
      ${o.provider ? tx`AND ${o.provider} = ANY(providers)` : tx``}
    ORDER BY score DESC, campaign_id LIMIT ${o.limit}`;
}

export async function ownRecordsIn(tx: Tx, campaignId: string, providerId: string): Promise<string[]> {
  return (await ownRecordsInEach(tx, [campaignId], providerId)).get(campaignId) ?? [];
}

/** A provider's records in each of several campaigns, in one query (a list page is one round trip, not one per campaign). */
export async function ownRecordsInEach(tx: Tx, campaignIds: readonly string[], providerId: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (campaignIds.length === 0) return out;
  const rows = await tx<{ campaign_id: string; record_id: string }[]>`
    SELECT campaign_id, record_id FROM campaign_records
    WHERE campaign_id = ANY(${campaignIds as string[]}::text[]) AND provider_id = ${providerId}
    ORDER BY campaign_id, record_id`;
  for (const r of rows) {
    const list = out.get(r.campaign_id);
    if (list) list.push(r.record_id);
    else out.set(r.campaign_id, [r.record_id]);
  }
  return out;
}

/** Active and withdrawn campaigns (merged ones live on in their survivor), optionally only those updated after a time. */
export async function campaignsUpdatedAfter(tx: Tx, after: Date | undefined, minProviders: number): Promise<CampaignRow[]> {
  return tx<CampaignRow[]>`
    SELECT * FROM campaigns
    WHERE status <> 'merged' AND cardinality(providers) >= ${minProviders}
      ${after ? tx`AND updated_at > ${after}` : tx``}
    ORDER BY updated_at, campaign_id`;
}

/** The linking tokens of campaigns (every token link ever assigned to them). */
export async function campaignTokens(tx: Tx, campaignIds: readonly string[]): Promise<{ campaign_id: string; epoch: number; token_kind: number; token: Uint8Array }[]> {
  if (campaignIds.length === 0) return [];
  return tx`
    SELECT campaign_id, epoch, token_kind, token FROM links
    WHERE campaign_id = ANY(${campaignIds as string[]}::text[]) AND basis = 'token'
    ORDER BY campaign_id, link_id`;
}
