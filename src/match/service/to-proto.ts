import { create } from '@bufbuild/protobuf';
import {
  AlertKind, AlertSchema, CampaignEventSchema, CampaignSchema, CampaignStatus, OverlapBasis, Verdict,
  type Alert, type Campaign, type CampaignEvent as CampaignEventMessage,
} from '../../gen/cordon/v1/alerts_pb.js';
import type { DisclosedAlert, DisclosedCampaign } from '../disclosure.js';
import type { AlertKind as StoredAlertKind } from '../ids.js';
import type { CampaignEvent } from '../types.js';

const KINDS: Record<StoredAlertKind, AlertKind> = {
  overlap: AlertKind.OVERLAP,
  campaign_growth: AlertKind.CAMPAIGN_GROWTH,
  withdrawal: AlertKind.WITHDRAWAL,
  feedback: AlertKind.FEEDBACK,
  quarantine: AlertKind.QUARANTINE,
};

export function alertMessage(a: DisclosedAlert): Alert {
  const f = a.facts;
  return create(AlertSchema, {
    id: a.alertId,
    cursor: a.cursor,
    kind: KINDS[a.kind],
    createdMs: BigInt(a.createdMs),
    campaignId: f.campaign_id ?? '',
    overlapId: f.link_id ?? '',
    basis: f.basis === 'token' ? OverlapBasis.TOKEN : f.basis === 'template' ? OverlapBasis.TEMPLATE : OverlapBasis.UNSPECIFIED,
    tokenKind: f.token_kind ?? 0,
    token: f.token ? Buffer.from(f.token, 'hex') : new Uint8Array(),
    similarity: f.similarity ?? 0,
    ownRecordIds: f.own_records ?? [],
    otherProviders: f.other_providers ?? [],
    otherProviderCount: f.other_provider_count ?? 0,
    campaignProviders: f.campaign_providers ?? 0,
    campaignRecords: f.campaign_records ?? 0,
    campaignScore: f.campaign_score ?? 0,
    milestone: f.milestone ?? '',
    withdrawnAlertId: f.withdrawn_alert_id ?? '',
    reason: f.reason ?? '',
    verdict: f.verdict === 'confirmed' ? Verdict.CONFIRMED : f.verdict === 'false_positive' ? Verdict.FALSE_POSITIVE : Verdict.UNSPECIFIED,
    feedbackFrom: f.feedback_from ?? '',
    recordCount: f.record_count ?? 0,
  });
}

const STATUS = { active: CampaignStatus.ACTIVE, withdrawn: CampaignStatus.WITHDRAWN, merged: CampaignStatus.MERGED } as const;

export function campaignMessage(d: DisclosedCampaign): Campaign {
  const r = d.row;
  return create(CampaignSchema, {
    id: r.campaign_id,
    status: STATUS[r.status],
    mergedInto: r.merged_into ?? '',
    providers: d.providers,
    providerCount: d.provider_count,
    recordCount: r.record_count,
    accountCount: r.account_count,
    templateCount: r.template_count,
    tokenKinds: r.token_kinds,
    maxSimilarity: r.max_similarity,
    meanProviderScore: r.mean_provider_score,
    score: r.score,
    confirmed: r.confirmed,
    falsePositive: r.false_positive,
    labels: r.labels,
    firstSeenMs: BigInt(r.first_seen.getTime()),
    lastSeenMs: BigInt(r.last_seen.getTime()),
    foundedMs: BigInt(r.founded_at.getTime()),
    updatedMs: BigInt(r.updated_at.getTime()),
    ownRecordIds: d.own_records,
    epoch: r.epoch,
  });
}

export function eventMessage(e: CampaignEvent): CampaignEventMessage {
  return create(CampaignEventSchema, { atMs: BigInt(e.at.getTime()), kind: e.kind, detailJson: JSON.stringify(e.detail) });
}
