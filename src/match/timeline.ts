import type { Sql, TransactionSql } from 'postgres';
import { campaignsNamedBy, discloseTimeline, mayKnowCampaign, type DisclosurePolicy, type Viewer } from './disclosure.js';
import { campaignEvents, campaignsById, ownRecordsInEach } from './store/campaigns.js';
import type { CampaignEvent } from './types.js';

/**
 * A campaign's timeline for a viewer already entitled to the campaign
 * itself: the campaigns its merges name are looked up (with the viewer's
 * records in them) and disclosed by the listing rule (disclosure.ts
 * discloseTimeline). Every node serving a timeline goes through here.
 */
export async function disclosedTimeline(tx: TransactionSql | Sql, campaignId: string, viewer: Viewer, policy: DisclosurePolicy): Promise<CampaignEvent[]> {
  const events = await campaignEvents(tx, campaignId);
  const named = [...new Set(events.flatMap(campaignsNamedBy))];
  if (named.length === 0) return events;
  const rows = await campaignsById(tx, named);
  const own = viewer.role === 'provider' ? await ownRecordsInEach(tx, named, viewer.id) : new Map<string, string[]>();
  return discloseTimeline(events, (id) => {
    const row = rows.get(id);
    return row !== undefined && mayKnowCampaign(row, (own.get(id)?.length ?? 0) > 0, viewer, policy);
  });
}
