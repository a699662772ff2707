import type { Sql } from 'postgres';
import { AlertKind, OverlapBasis } from '../../gen/cordon/v1/alerts_pb.js';
import { CordonError } from '../../errors.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import { AlertClient } from '../../match/client/alert-client.js';
import { providerGraph, type OverlapFacts } from './campaign-graph.js';
import { kindName, summaryOfMessage } from './campaign-summary.js';
import type { CampaignDetail, CampaignRecordRow, CampaignViews } from './view-types.js';
import { wholeInbox } from './whole-inbox.js';

/**
 * Provider nodes hold no campaigns: they ask a consortium node over
 * AlertService, which answers through the disclosure policy with this
 * provider as the caller (only campaigns with its records; other providers
 * named or only counted). The graph comes from the overlap alerts in the
 * provider's own inbox, the records table from its own local records.
 */
export function providerCampaigns(env: { sql: Sql; self: Identity; peers: () => Peer[] }): CampaignViews {
  const withClient = async <T>(run: (c: AlertClient) => Promise<T>): Promise<T> => {
    const errors: string[] = [];
    for (const peer of env.peers()) {
      const client = new AlertClient(env.self, peer);
      try {
        return await run(client);
      } catch (err) {
        if (err instanceof CordonError && err.code === 'NOT_FOUND') throw err;
        errors.push(`${peer.id}: ${(err as Error).message}`);
      } finally {
        client.close();
      }
    }
    throw new CordonError('UNAVAILABLE', `no consortium node answered: ${errors.join('; ') || 'none configured'}`);
  };
  return {
    list: () => withClient(async (c) => (await c.listCampaigns()).campaigns.map(summaryOfMessage)),
    async detail(id): Promise<CampaignDetail | undefined> {
      let res;
      try {
        res = await withClient((c) => c.getCampaign(id));
      } catch (err) {
        if (err instanceof CordonError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
      if (!res.campaign) return undefined;
      const campaign = summaryOfMessage(res.campaign);
      const overlaps = new Map<string, OverlapFacts>();
      for (const { alert } of await wholeInbox(env.sql)) {
        if (alert.kind !== AlertKind.OVERLAP || alert.campaignId !== id || !alert.overlapId) continue;
        const o = overlaps.get(alert.overlapId) ?? { link_id: alert.overlapId, basis: alert.basis === OverlapBasis.TEMPLATE ? 'template' : 'token', token_kind: alert.tokenKind, own_records: [], counterparts: [], other_count: 0 };
        o.own_records = [...new Set([...o.own_records, ...alert.ownRecordIds])];
        o.counterparts = [...new Set([...o.counterparts, ...alert.otherProviders])];
        o.other_count = Math.max(o.other_count, alert.otherProviderCount);
        overlaps.set(alert.overlapId, o);
      }
      const local = await env.sql<{ record_id: string; kind: string; labels: string[]; score: number; first_seen: Date; last_seen: Date }[]>`
        SELECT record_id, kind, labels, score, first_seen, last_seen FROM local_records WHERE record_id = ANY(${campaign.own_records}::text[]) ORDER BY record_id`;
      const records: CampaignRecordRow[] = local.map((r) => ({
        provider: env.self.id, record_id: r.record_id, kind: r.kind, labels: r.labels, score: r.score,
        first_seen: r.first_seen.toISOString(), last_seen: r.last_seen.toISOString(),
      }));
      const timeline = res.timeline.map((e) => ({ at: new Date(Number(e.atMs)).toISOString(), kind: e.kind, detail: JSON.parse(e.detailJson || '{}') as unknown }));
      return { campaign, timeline, graph: providerGraph(env.self.id, [...overlaps.values()], kindName), records };
    },
  };
}
