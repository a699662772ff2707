import type { Sql } from 'postgres';
import type { Membership } from '../../federation/membership/membership.js';
import { discloseCampaign, type Viewer } from '../../match/disclosure.js';
import { campaignsById, listCampaigns } from '../../match/store/campaigns.js';
import { disclosedTimeline } from '../../match/timeline.js';
import { campaignLinks } from '../../match/store/links.js';
import { operatorGraph, regulatorGraph } from './campaign-graph.js';
import { kindName, summaryOfDisclosed } from './campaign-summary.js';
import type { CampaignDetail, CampaignRecordRow, CampaignViews } from './view-types.js';

/** Campaigns listed at once: the console shows the best ones, as `cordon campaigns` does. */
export const CAMPAIGN_LIST_LIMIT = 100;
const CAMPAIGN_ID = /^cp-[0-9a-f]{32}$/;

/**
 * Consortium and regulator nodes: campaigns from the node's own matching
 * tables, every one through discloseCampaign with the node itself as viewer
 * (the regulator: ≥ k providers, no record ids).
 */
export function localCampaigns(env: { sql: Sql; membership: Membership; viewer: Viewer }): CampaignViews {
  const { sql, membership, viewer } = env;
  const policy = () => membership.manifest.policy;
  // Same floors as AlertService.ListCampaigns.
  const floor = () => (viewer.role === 'regulator' ? Math.max(2, policy().regulator_min_providers) : 1);
  return {
    async list() {
      const rows = await listCampaigns(sql, { minProviders: floor(), limit: CAMPAIGN_LIST_LIMIT });
      return rows.flatMap((row) => {
        const d = discloseCampaign(row, [], viewer, policy());
        return d ? [summaryOfDisclosed(d)] : [];
      });
    },
    async detail(id): Promise<CampaignDetail | undefined> {
      const row = CAMPAIGN_ID.test(id) ? (await campaignsById(sql, [id])).get(id) : undefined;
      const d = row && discloseCampaign(row, [], viewer, policy());
      if (!d) return undefined;
      const { links, members } = await campaignLinks(sql, id);
      const timeline = (await disclosedTimeline(sql, id, viewer, policy())).map((e) => ({ at: e.at.toISOString(), kind: e.kind, detail: e.detail }));
      let records: CampaignRecordRow[];
      if (viewer.role === 'regulator') {
        const perProvider = new Map<string, Set<string>>();
        for (const m of members) (perProvider.get(m.provider_id) ?? perProvider.set(m.provider_id, new Set()).get(m.provider_id)!).add(m.record_id);
        records = [...perProvider].sort().map(([provider, ids]) => ({ provider, count: ids.size }));
      } else {
        const seen = new Set<string>();
        records = [];
        for (const m of members) {
          const key = `${m.provider_id}/${m.record_id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          records.push({ provider: m.provider_id, record_id: m.record_id, published: m.published_at.toISOString() });
        }
        records.sort((a, b) => a.provider.localeCompare(b.provider) || a.record_id!.localeCompare(b.record_id!));
      }
      const graph = viewer.role === 'regulator' ? regulatorGraph(links, members) : operatorGraph(links, members, kindName);
      return { campaign: summaryOfDisclosed(d), timeline, graph, records };
    },
  };
}
