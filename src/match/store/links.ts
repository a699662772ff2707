import type { Sql, TransactionSql } from 'postgres';

import type { Member } from '../plan/link-shape.js';

type Tx = TransactionSql | Sql;

export interface LinkRow {
  link_id: string;
  epoch: number;
  basis: 'token' | 'template';
  token_kind: number | null;
  token: Uint8Array | null;
  similarity: number | null;
  providers: string[];
  record_count: number;
  campaign_id: string | null;
  formed_at: Date;
  withdrawn_at: Date | null;
}

export interface LinkMember { link_id: string; provider_id: string; record_id: string; published_at: Date }

/** A member row as the planners see it. */
export const memberOfRow = (m: { provider_id: string; record_id: string; published_at: Date }): Member => ({ provider: m.provider_id, record: m.record_id, publishedMs: m.published_at.getTime() });

export async function linksById(tx: Tx, ids: readonly string[]): Promise<Map<string, LinkRow>> {
  if (ids.length === 0) return new Map();
  const rows = await tx<LinkRow[]>`SELECT * FROM links WHERE link_id = ANY(${ids as string[]}::text[])`;
  return new Map(rows.map((r) => [r.link_id, r]));
}

export async function membersOf(tx: Tx, linkIds: readonly string[]): Promise<LinkMember[]> {
  if (linkIds.length === 0) return [];
  return tx<LinkMember[]>`SELECT link_id, provider_id, record_id, published_at FROM link_members WHERE link_id = ANY(${linkIds as string[]}::text[])`;
}

/** Active links any of these records belongs to. */
export async function linksOfRecords(tx: Tx, providerIds: readonly string[], recordIds: readonly string[]): Promise<LinkMember[]> {
  if (recordIds.length === 0) return [];
  return tx<LinkMember[]>`
    SELECT m.link_id, m.provider_id, m.record_id, m.published_at
    FROM unnest(${providerIds as string[]}::text[], ${recordIds as string[]}::text[]) AS k(provider_id, record_id)
    JOIN link_members m ON m.provider_id = k.provider_id AND m.record_id = k.record_id
    JOIN links l ON l.link_id = m.link_id AND l.withdrawn_at IS NULL`;
}

/** Creates or revives links, or updates their providers and sizes. */
export async function upsertLinks(tx: Tx, links: readonly Omit<LinkRow, 'withdrawn_at' | 'campaign_id'>[]): Promise<void> {
  if (links.length === 0) return;
  await tx`
    INSERT INTO links ${tx(links as never, 'link_id', 'epoch', 'basis', 'token_kind', 'token', 'similarity', 'providers', 'record_count', 'formed_at')}
    ON CONFLICT (link_id) DO UPDATE SET providers = EXCLUDED.providers, record_count = EXCLUDED.record_count,
      similarity = EXCLUDED.similarity, withdrawn_at = NULL, formed_at = EXCLUDED.formed_at`;
}

export async function addMembers(tx: Tx, members: readonly LinkMember[]): Promise<void> {
  if (members.length === 0) return;
  await tx`
    INSERT INTO link_members (link_id, provider_id, record_id, published_at)
    SELECT * FROM unnest(${members.map((m) => m.link_id)}::text[], ${members.map((m) => m.provider_id)}::text[], ${members.map((m) => m.record_id)}::text[],
                         ${members.map((m) => m.published_at.toISOString())}::timestamptz[])
    ON CONFLICT DO NOTHING`;
}

export async function removeMembers(tx: Tx, providerId: string, recordIds: readonly string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await tx`DELETE FROM link_members WHERE provider_id = ${providerId} AND record_id = ANY(${recordIds as string[]}::text[])`;
}

export async function removeAllMembers(tx: Tx, linkId: string): Promise<void> {
  await tx`DELETE FROM link_members WHERE link_id = ${linkId}`;
}

export async function setLinkShape(tx: Tx, linkId: string, providers: readonly string[], recordCount: number, formedAt: Date, withdrawn: boolean): Promise<void> {
  await tx`
    UPDATE links SET providers = ${providers as string[]}, record_count = ${recordCount}, formed_at = ${formedAt},
      withdrawn_at = CASE WHEN ${withdrawn} THEN coalesce(withdrawn_at, now()) ELSE NULL END
    WHERE link_id = ${linkId}`;
}

export async function setLinksCampaign(tx: Tx, pairs: readonly { linkId: string; campaignId: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  await tx`
    UPDATE links SET campaign_id = v.c FROM unnest(${pairs.map((p) => p.linkId)}::text[], ${pairs.map((p) => p.campaignId)}::text[]) AS v(l, c)
    WHERE links.link_id = v.l AND links.campaign_id IS DISTINCT FROM v.c`;
}

/** Active links of a campaign with their members. */
export async function campaignLinks(tx: Tx, campaignId: string): Promise<{ links: LinkRow[]; members: LinkMember[] }> {
  const links = await tx<LinkRow[]>`SELECT * FROM links WHERE campaign_id = ${campaignId} AND withdrawn_at IS NULL`;
  return { links, members: await membersOf(tx, links.map((l) => l.link_id)) };
}
