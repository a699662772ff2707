import type { Role } from '../federation/membership/schema.js';
import type { AlertFacts, CampaignRow, StoredAlert } from './types.js';
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
 * `ownRecords`: the viewer's records in the campaign (empty for other roles).
 * Returns undefined when the viewer may not know the campaign exists.
 */
export function discloseCampaign(row: CampaignRow, ownRecords: readonly string[], viewer: Viewer, policy: DisclosurePolicy): DisclosedCampaign | undefined {
  const crossProvider = row.providers.length >= 2;
  switch (viewer.role) {
    case 'consortium':
      return { row, providers: row.providers, provider_count: row.providers.length, own_records: [] };
    case 'regulator':
      if (!crossProvider || row.providers.length < policy.regulator_min_providers) return undefined;
      return { row, providers: row.providers, provider_count: row.providers.length, own_records: [] };
    case 'provider':
      if (!crossProvider || ownRecords.length === 0 || !row.providers.includes(viewer.id)) return undefined;
      return {
        row,
        providers: policy.disclosure === 'names' ? row.providers : [viewer.id],
        provider_count: row.providers.length,
        own_records: [...ownRecords],
      };
  }
}
