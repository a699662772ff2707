import type { Role } from '../federation/membership/schema.js';
import type { AlertFacts, CampaignEvent, CampaignRow, StoredAlert } from './types.js';
import { OPERATOR_RECIPIENT } from './types.js';

/**
 * The disclosure policy (DESIGN.md §5), enforced here and only here: every
 * alert and campaign a node serves passes through these functions with the
 * caller as the viewer.
 *
 * - A provider learns only overlaps involving its own records, and only its
 *   own record ids; the other providers' names or only their number, as the
 *   consortium's policy says.
 * - The regulator sees campaigns spanning at least `regulator_min_providers`
 *   providers (names and sizes, no record ids), and no alerts.
 * - Consortium members operate the matching: they see campaigns whole, and
 *   the operator alerts (quarantine).
 * - A campaign's timeline names other campaigns (merges) only where the
 *   viewer may know them by the same rule (discloseTimeline).
 */
export interface Viewer { readonly id: string; readonly role: Role }
export interface DisclosurePolicy { readonly disclosure: 'names' | 'count'; readonly regulator_min_providers: number }

export interface DisclosedAlert extends Omit<StoredAlert, 'facts'> {
  facts: AlertFacts & { other_provider_count?: number };
}

export function discloseAlert(alert: StoredAlert, viewer: Viewer, policy: DisclosurePolicy): DisclosedAlert | undefined {
  if (viewer.role === 'regulator') return undefined;
  if (viewer.role === 'consortium') return alert.recipient === OPERATOR_RECIPIENT ? alert : undefined;
  if (alert.recipient !== viewer.id) return undefined;
  const facts: DisclosedAlert['facts'] = { ...alert.facts };
  if (facts.other_providers) {
    facts.other_provider_count = facts.other_providers.length;
    if (policy.disclosure === 'count') delete facts.other_providers;
  }
  if (policy.disclosure === 'count') delete facts.counterpart;
  if (facts.feedback_from && policy.disclosure === 'count') delete facts.feedback_from;
  return { ...alert, facts };
}

export interface DisclosedCampaign {
  row: CampaignRow;
  /** Provider names the viewer may see (itself only under 'count'). */
  providers: string[];
  provider_count: number;
  /** The viewer's own records in the campaign (providers only). */
  own_records: string[];
}

/**
 * Whether the viewer may know the campaign exists: consortium members always;
 * the regulator from `regulator_min_providers` providers on; a provider when
 * the campaign is cross-provider and it has records in it.
 */
function mayKnow(row: CampaignRow, hasOwnRecords: boolean, viewer: Viewer, policy: DisclosurePolicy): boolean {
  const crossProvider = row.providers.length >= 2;
  switch (viewer.role) {
    case 'consortium':
      return true;
    case 'regulator':
      return crossProvider && row.providers.length >= policy.regulator_min_providers;
    case 'provider':
      return crossProvider && hasOwnRecords && row.providers.includes(viewer.id);
  }
}

/**
 * `ownRecords`: the viewer's records in the campaign (empty for other roles).
 * Returns undefined when the viewer may not know the campaign exists.
 */
export function discloseCampaign(row: CampaignRow, ownRecords: readonly string[], viewer: Viewer, policy: DisclosurePolicy): DisclosedCampaign | undefined {
  if (!mayKnow(row, ownRecords.length > 0, viewer, policy)) return undefined;
  switch (viewer.role) {
    case 'consortium':
    case 'regulator':
      return { row, providers: row.providers, provider_count: row.providers.length, own_records: [] };
    case 'provider':
      return {
        row,
        providers: policy.disclosure === 'names' ? row.providers : [viewer.id],
        provider_count: row.providers.length,
        own_records: [...ownRecords],
      };
  }
}

/**
 * Whether the viewer may know of a campaign another one's timeline names:
 * the listing rule above. A merged campaign's records moved to the campaign
 * that absorbed it, so it is judged as it stood when absorbed (its row keeps
 * its providers from then): a provider may know it if it was one of them.
 */
export function mayKnowCampaign(row: CampaignRow, hasOwnRecords: boolean, viewer: Viewer, policy: DisclosurePolicy): boolean {
  return mayKnow(row, row.status === 'merged' ? row.providers.includes(viewer.id) : hasOwnRecords, viewer, policy);
}

/** The campaign ids a timeline event names (merges), for the caller to look up before discloseTimeline. */
export function campaignsNamedBy(event: CampaignEvent): string[] {
  const d = event.detail;
  if (event.kind === 'merged' && Array.isArray(d.from)) return d.from.filter((x): x is string => typeof x === 'string');
  if (event.kind === 'merged_into' && typeof d.into === 'string') return [d.into];
  return [];
}

/**
 * A campaign's timeline as the viewer may see it: a merge names only the
 * campaigns the viewer may know (`mayKnowId`: mayKnowCampaign on each named
 * campaign's row, as match/timeline.ts does); a merge that would name none
 * is left out, since even its count would tell of a campaign the viewer may
 * not know exists.
 */
export function discloseTimeline(events: readonly CampaignEvent[], mayKnowId: (campaignId: string) => boolean): CampaignEvent[] {
  const out: CampaignEvent[] = [];
  for (const e of events) {
    if (e.kind === 'merged') {
      const from = campaignsNamedBy(e).filter(mayKnowId);
      if (from.length > 0) out.push({ ...e, detail: { ...e.detail, from } });
    } else if (e.kind === 'merged_into') {
      if (campaignsNamedBy(e).every(mayKnowId)) out.push(e);
    } else {
      out.push(e);
    }
  }
  return out;
}
