import type { Campaign } from '../../gen/cordon/v1/alerts_pb.js';
import { CampaignStatus } from '../../gen/cordon/v1/alerts_pb.js';
import type { DisclosedCampaign } from '../../match/disclosure.js';
import { tokenKindName } from '../../regulator/views/indicator-token.js';
import type { CampaignSummary } from './view-types.js';

/** A token kind's name for labels (the number when the kind is unknown). */
export const kindName = (k: number): string => tokenKindName(k) ?? `kind ${k}`;

/** A campaign as disclosed on this node (consortium, regulator). */
export function summaryOfDisclosed(d: DisclosedCampaign): CampaignSummary {
  const r = d.row;
  return {
    id: r.campaign_id, status: r.status, providers: d.providers, provider_count: d.provider_count,
    record_count: r.record_count, account_count: r.account_count, template_count: r.template_count,
    score: r.score, labels: r.labels, first_seen: r.first_seen.toISOString(), last_seen: r.last_seen.toISOString(),
    founded: r.founded_at.toISOString(), own_records: d.own_records,
  };
}

const STATUS: Record<number, string> = { [CampaignStatus.ACTIVE]: 'active', [CampaignStatus.WITHDRAWN]: 'withdrawn', [CampaignStatus.MERGED]: 'merged' };
const iso = (ms: bigint) => new Date(Number(ms)).toISOString();

/** A campaign as a consortium node disclosed it to this provider over AlertService. */
export function summaryOfMessage(c: Campaign): CampaignSummary {
  return {
    id: c.id, status: STATUS[c.status] ?? 'unknown', providers: c.providers, provider_count: c.providerCount,
    record_count: c.recordCount, account_count: c.accountCount, template_count: c.templateCount,
    score: c.score, labels: c.labels, first_seen: iso(c.firstSeenMs), last_seen: iso(c.lastSeenMs),
    founded: iso(c.foundedMs), own_records: c.ownRecordIds,
  };
}
