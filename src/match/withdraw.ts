import type { TransactionSql } from 'postgres';
import { lookupKey, type KeyedIds, type RecordRef } from './ids.js';
import { formedAt, providersOf } from './plan/link-shape.js';
import { withdrawalAlerts } from './plan/overlap-alerts.js';
import type { NewAlert } from './store/alerts.js';
import { overlapAlertsOf } from './store/alerts.js';
import { groupBy } from './group-by.js';
import { linksById, linksOfRecords, membersOf, memberOfRow, removeAllMembers, removeMembers, setLinkShape } from './store/links.js';
import { deleteBandPostings } from './store/bands.js';
import { latestRecords } from './store/records.js';

export interface Withdrawn {
  /** Campaigns whose links changed: reconcile them. */
  campaigns: Set<string>;
  alerts: NewAlert[];
}

/**
 * Withdraws records (retracted or expired): they stop matching, leave every
 * link they were in, and links left with fewer than two records are
 * withdrawn. Providers told of an overlap that no longer holds get a
 * withdrawal alert. The caller reconciles the returned campaigns.
 */
export async function withdrawRecords(tx: TransactionSql, refs: readonly RecordRef[], reason: 'retracted' | 'expired', ids: KeyedIds): Promise<Withdrawn> {
  const out: Withdrawn = { campaigns: new Set(), alerts: [] };
  if (refs.length === 0) return out;
  const byProvider = groupBy(refs, (r) => r.provider, (r) => r.record);

  // Token postings live in the token index, which the caller updates after commit; band postings are rows.
  for (const rec of await latestRecords(tx, refs)) {
    if (rec.bands.length > 0) await deleteBandPostings(tx, rec.provider_id, [rec.record_id], rec.bands.map((b) => lookupKey(b)));
  }

  const memberships = await linksOfRecords(tx, refs.map((r) => r.provider), refs.map((r) => r.record));
  const linkIds = [...new Set(memberships.map((m) => m.link_id))];
  if (linkIds.length === 0) return out;
  const sent = await overlapAlertsOf(tx, linkIds);
  for (const [provider, records] of byProvider) await removeMembers(tx, provider, records);

  const links = await linksById(tx, linkIds);
  const remaining = groupBy(await membersOf(tx, linkIds), (m) => m.link_id, memberOfRow);
  const providersNow = new Map<string, Set<string>>();
  for (const id of linkIds) {
    const link = links.get(id)!;
    const members = remaining.get(id) ?? [];
    const gone = members.length < 2;
    if (gone) await removeAllMembers(tx, id);
    const providers = gone ? [] : providersOf(members);
    await setLinkShape(tx, id, providers, gone ? 0 : members.length, new Date(formedAt(members) ?? link.formed_at.getTime()), gone);
    providersNow.set(id, new Set(providers));
    if (link.campaign_id) out.campaigns.add(link.campaign_id);
  }
  out.alerts = withdrawalAlerts(sent, providersNow, reason, ids);
  return out;
}
