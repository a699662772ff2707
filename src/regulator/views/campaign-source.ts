import type { Sql } from 'postgres';
import type { Membership } from '../../federation/membership/membership.js';
import { groupBy } from '../../match/group-by.js';
import { campaignTokens, campaignsUpdatedAfter } from '../../match/store/campaigns.js';
import type { CampaignView } from './campaign-view.js';
import { tokenKindName, type IndicatorToken } from './indicator-token.js';

/** What the regulator asks for: every campaign it may see, or those changed since a time. */
export interface CampaignQuery {
  /** Only campaigns whose updated_at is after this time. */
  readonly updatedAfter?: Date;
}

/** Where the regulator's campaign views come from (matching, once it runs on the regulator's data). */
export interface CampaignSource {
  campaigns(query: CampaignQuery): Promise<CampaignView[]>;
}

/** No campaigns (a node that matches nothing). */
export const NO_CAMPAIGNS: CampaignSource = { campaigns: async () => [] };

const iso = (d: Date) => d.toISOString();

/**
 * The campaign source a regulator node uses for `cordon export` and TAXII:
 * the campaigns its own matcher keeps over its replica of every chain
 * (src/match). Cross-provider campaigns only; the k-provider threshold is
 * applied after it (regulator-data.ts).
 */
export function campaignSource(env: { sql: Sql; membership: Membership }): CampaignSource {
  return {
    async campaigns(query) {
      const rows = await campaignsUpdatedAfter(env.sql, query.updatedAfter, 2);
      const tokens = await campaignTokens(env.sql, rows.map((r) => r.campaign_id));
      const byCampaign = groupBy(
        tokens.filter((t) => tokenKindName(t.token_kind)),
        (t) => t.campaign_id,
        (t): IndicatorToken => ({ kind: tokenKindName(t.token_kind)!, token_hex: Buffer.from(t.token).toString('hex'), epoch: t.epoch }),
      );
      return rows.map((r): CampaignView => ({
        id: r.campaign_id,
        providers: r.providers,
        provider_count: r.providers.length,
        record_count: r.record_count,
        account_count: r.account_count,
        shared_token_kinds: r.token_kinds.flatMap((k) => tokenKindName(k) ?? []),
        indicators: byCampaign.get(r.campaign_id) ?? [],
        template_similarity: r.template_count > 0 && r.max_similarity > 0 ? r.max_similarity : null,
        score: r.score,
        first_seen: iso(r.first_seen),
        last_seen: iso(r.last_seen < r.first_seen ? r.first_seen : r.last_seen),
        updated_at: iso(r.updated_at),
        status: r.status === 'withdrawn' ? 'withdrawn' : 'active',
        labels: r.labels,
      }));
    },
  };
}
