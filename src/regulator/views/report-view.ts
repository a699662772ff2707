import { CordonError } from '../../errors.js';
import { CAMPAIGN_REF } from './campaign-view.js';
import { checkIndicator, type IndicatorToken } from './indicator-token.js';
import { isoTimestamp } from './timestamps.js';

/**
 * A filed report as the regulator reads and exports it: the provider's signed
 * content decoded, with the time the regulator received it. Built from the
 * regulator's filed_reports table (reports/report-store.ts); tests build them
 * directly.
 */
export interface ReportView {
  /** SHA-256 of the report bytes as filed, lowercase hex: the report's id everywhere. */
  id: string;
  /** The filing provider's id. */
  provider: string;
  campaign_ref: string;
  indicators: IndicatorToken[];
  /** The provider's free text (checked at filing for raw identifiers). */
  narrative: string;
  /** The provider's reporting contact; kept out of exports. */
  contact: string;
  /** ISO 8601: when the provider wrote the report. */
  created_at: string;
  /** ISO 8601: when the regulator received it (the time in its receipt). */
  received_at: string;
  /** The regulator that received it. */
  regulator: string;
}

export const REPORT_ID = /^[0-9a-f]{64}$/;

/** Checks a view (naming `where` in errors) and returns it normalised like checkCampaignView. */
export function checkReportView(v: ReportView, where: string): ReportView {
  const bad = (field: string, what: string) => new CordonError('INVALID_INPUT', `${where}.${field}: ${what}`);
  if (typeof v !== 'object' || v === null) throw new CordonError('INVALID_INPUT', `${where}: must be an object`);
  if (typeof v.id !== 'string' || !REPORT_ID.test(v.id)) throw bad('id', `must be 64 lowercase hex characters, got ${JSON.stringify(v.id)}`);
  for (const f of ['provider', 'regulator'] as const) {
    if (typeof v[f] !== 'string' || v[f] === '') throw bad(f, `must be a non-empty string, got ${JSON.stringify(v[f])}`);
  }
  if (typeof v.campaign_ref !== 'string' || !CAMPAIGN_REF.test(v.campaign_ref)) throw bad('campaign_ref', `must be 1–128 chars of A-Z a-z 0-9 . _ : -, got ${JSON.stringify(v.campaign_ref)}`);
  if (typeof v.narrative !== 'string') throw bad('narrative', 'must be a string');
  if (typeof v.contact !== 'string') throw bad('contact', 'must be a string');
  if (!Array.isArray(v.indicators)) throw bad('indicators', 'must be an array');
  return {
    ...v,
    indicators: v.indicators.map((ind, i) => checkIndicator(ind, `${where}.indicators[${i}]`)),
    created_at: isoTimestamp(v.created_at, `${where}.created_at`),
    received_at: isoTimestamp(v.received_at, `${where}.received_at`),
  };
}
