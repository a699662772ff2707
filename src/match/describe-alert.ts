import type { Alert } from '../gen/cordon/v1/alerts_pb.js';
import { AlertKind, OverlapBasis, Verdict } from '../gen/cordon/v1/alerts_pb.js';
import { TOKEN_KIND_NAMES } from '../federation/membership/schema.js';

const KIND_NAMES: Record<number, string> = {
  [AlertKind.OVERLAP]: 'overlap',
  [AlertKind.CAMPAIGN_GROWTH]: 'campaign_growth',
  [AlertKind.WITHDRAWAL]: 'withdrawal',
  [AlertKind.FEEDBACK]: 'feedback',
  [AlertKind.QUARANTINE]: 'quarantine',
};

const others = (a: Alert) => (a.otherProviders.length > 0 ? a.otherProviders.join(', ') : `${a.otherProviderCount} other provider(s)`);

/** One line a person can read, for `cordon alerts`. */
export function describeAlert(a: Alert): string {
  const when = new Date(Number(a.createdMs)).toISOString();
  const kind = KIND_NAMES[a.kind] ?? 'unknown';
  switch (a.kind) {
    case AlertKind.OVERLAP: {
      const what = a.basis === OverlapBasis.TEMPLATE ? `a prompt template (similarity ${a.similarity.toFixed(2)})` : `a ${TOKEN_KIND_NAMES[a.tokenKind - 1] ?? 'token'} token`;
      return `${when} ${kind} ${a.id}: your ${a.ownRecordIds.join(', ')} share ${what} with ${others(a)}; campaign ${a.campaignId} (${a.campaignProviders} providers, ${a.campaignRecords} records, score ${a.campaignScore.toFixed(2)})`;
    }
    case AlertKind.CAMPAIGN_GROWTH:
      return `${when} ${kind} ${a.id}: campaign ${a.campaignId} reached ${a.milestone} (${a.campaignProviders} providers, ${a.campaignRecords} records, score ${a.campaignScore.toFixed(2)})`;
    case AlertKind.WITHDRAWAL:
      return `${when} ${kind} ${a.id}: overlap ${a.overlapId} no longer holds (${a.reason}); withdraws ${a.withdrawnAlertId}`;
    case AlertKind.FEEDBACK:
      return `${when} ${kind} ${a.id}: ${a.feedbackFrom || 'another provider'} marked overlap ${a.overlapId} ${a.verdict === Verdict.CONFIRMED ? 'confirmed' : 'a false positive'}`;
    case AlertKind.QUARANTINE:
      return `${when} ${kind} ${a.id}: a ${TOKEN_KIND_NAMES[a.tokenKind - 1] ?? 'token'} token linked ${a.recordCount} records and is quarantined (${Buffer.from(a.token).toString('hex')})`;
    default:
      return `${when} ${kind} ${a.id}`;
  }
}

/** The alert as a flat JSON object, for `cordon alerts --json`. */
export function alertJson(a: Alert): Record<string, unknown> {
  return {
    id: a.id, kind: KIND_NAMES[a.kind] ?? 'unknown', created: new Date(Number(a.createdMs)).toISOString(),
    campaign_id: a.campaignId || undefined, overlap_id: a.overlapId || undefined,
    basis: a.basis === OverlapBasis.TOKEN ? 'token' : a.basis === OverlapBasis.TEMPLATE ? 'template' : undefined,
    token_kind: a.tokenKind ? TOKEN_KIND_NAMES[a.tokenKind - 1] : undefined,
    similarity: a.similarity || undefined,
    own_record_ids: a.ownRecordIds.length ? a.ownRecordIds : undefined,
    other_providers: a.otherProviders.length ? a.otherProviders : undefined,
    other_provider_count: a.otherProviderCount || undefined,
    campaign_providers: a.campaignProviders || undefined, campaign_records: a.campaignRecords || undefined, campaign_score: a.campaignScore || undefined,
    milestone: a.milestone || undefined, withdrawn_alert_id: a.withdrawnAlertId || undefined, reason: a.reason || undefined,
    verdict: a.verdict === Verdict.CONFIRMED ? 'confirmed' : a.verdict === Verdict.FALSE_POSITIVE ? 'false_positive' : undefined,
    feedback_from: a.feedbackFrom || undefined, record_count: a.recordCount || undefined,
  };
}
