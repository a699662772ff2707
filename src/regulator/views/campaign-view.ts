import { CordonError } from '../../errors.js';
import { TOKEN_KINDS, checkIndicator, type IndicatorToken, type TokenKindName } from './indicator-token.js';
import { isoTimestamp } from './timestamps.js';

/**
 * A campaign as the regulator sees it (DESIGN.md §5, §7): records linked
 * across providers by shared tokens or similar templates, reduced to what a
 * regulator may read. Matching (src/match) produces these from its tables; the
 * exporters (STIX, TAXII, MISP) consume them through a CampaignSource
 * (campaign-source.ts). Holds tokens only, never a raw identifier.
 */
export interface CampaignView {
  /** Stable across recomputations; the natural key of every exported object derived from it. */
  id: string;
  /** Ids of the providers whose records are in the campaign. */
  providers: string[];
  /** Providers involved (≥ providers.length: a view may name fewer than it counts). */
  provider_count: number;
  /** Records linked into the campaign. */
  record_count: number;
  /** Distinct suspect accounts among those records. */
  account_count: number;
  /** Token kinds through which records of different providers are linked. */
  shared_token_kinds: TokenKindName[];
  /** The linking tokens themselves. */
  indicators: IndicatorToken[];
  /** Highest estimated Jaccard similarity of the templates linking the campaign; null when no template links it. */
  template_similarity: number | null;
  /** 0..1 */
  score: number;
  /** ISO 8601 (Z or ±hh:mm). Activity span of the linked records. */
  first_seen: string;
  last_seen: string;
  /**
   * ISO 8601: when this view last changed (a record joined or left, the score
   * moved, it was withdrawn). The version stamp of exported objects: STIX
   * `modified`, and what makes a TAXII server add a new version.
   */
  updated_at: string;
  /** 'withdrawn' once retractions or expiry left nothing linking it. */
  status: CampaignStatus;
  /** Reason codes carried by the linked records. */
  labels: string[];
}

export const CAMPAIGN_STATUSES = ['active', 'withdrawn'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Campaign ids and report campaign references: safe in URLs, file names and STIX names without escaping. */
export const CAMPAIGN_REF = /^[A-Za-z0-9._:-]{1,128}$/;

const bad = (where: string, what: string) => new CordonError('INVALID_INPUT', `${where}: ${what}`);

function count(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(where, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function unit(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw bad(where, `must be a number in [0, 1], got ${JSON.stringify(v)}`);
  return v;
}

function strings(v: unknown, where: string, item: (s: string, w: string) => void = () => undefined): string[] {
  if (!Array.isArray(v)) throw bad(where, 'must be an array of strings');
  return v.map((s, i) => {
    if (typeof s !== 'string' || s.trim() === '') throw bad(`${where}[${i}]`, `must be a non-empty string, got ${JSON.stringify(s)}`);
    item(s, `${where}[${i}]`);
    return s;
  });
}

/**
 * Checks a view from a CampaignSource and returns it normalised (timestamps
 * as UTC with milliseconds, tokens lowercase, lists deduplicated and sorted),
 * so exports are byte-identical whatever order the source produced. Throws
 * INVALID_INPUT naming the field (`where` is the caller's path to the view).
 */
export function checkCampaignView(v: CampaignView, where: string): CampaignView {
  if (typeof v !== 'object' || v === null) throw bad(where, 'must be an object');
  if (typeof v.id !== 'string' || !CAMPAIGN_REF.test(v.id)) throw bad(`${where}.id`, `must be 1–128 chars of A-Z a-z 0-9 . _ : -, got ${JSON.stringify(v.id)}`);
  const providers = [...new Set(strings(v.providers, `${where}.providers`))].sort();
  if (providers.length === 0) throw bad(`${where}.providers`, 'must name at least one provider');
  const providerCount = count(v.provider_count, `${where}.provider_count`);
  if (providerCount < providers.length) throw bad(`${where}.provider_count`, `${providerCount} is less than the ${providers.length} providers named`);
  const first = isoTimestamp(v.first_seen, `${where}.first_seen`);
  const last = isoTimestamp(v.last_seen, `${where}.last_seen`);
  if (last < first) throw bad(`${where}.last_seen`, `${last} is before first_seen ${first}`);
  const kinds = strings(v.shared_token_kinds, `${where}.shared_token_kinds`, (k, w) => {
    if (!(TOKEN_KINDS as readonly string[]).includes(k)) throw bad(w, `unknown token kind ${JSON.stringify(k)} (expected one of ${TOKEN_KINDS.join(', ')})`);
  }) as TokenKindName[];
  if (!Array.isArray(v.indicators)) throw bad(`${where}.indicators`, 'must be an array');
  const indicators = new Map<string, IndicatorToken>();
  v.indicators.forEach((ind, i) => {
    const t = checkIndicator(ind, `${where}.indicators[${i}]`);
    indicators.set(`${t.kind}|${t.epoch}|${t.token_hex}`, t);
  });
  if (v.template_similarity !== null) unit(v.template_similarity, `${where}.template_similarity`);
  if (!(CAMPAIGN_STATUSES as readonly string[]).includes(v.status)) {
    throw bad(`${where}.status`, `must be one of ${CAMPAIGN_STATUSES.join(', ')}, got ${JSON.stringify(v.status)}`);
  }
  return {
    id: v.id,
    providers,
    provider_count: providerCount,
    record_count: count(v.record_count, `${where}.record_count`),
    account_count: count(v.account_count, `${where}.account_count`),
    shared_token_kinds: [...new Set(kinds)].sort(),
    indicators: [...indicators.values()].sort((a, b) => (a.token_hex < b.token_hex ? -1 : a.token_hex > b.token_hex ? 1 : a.epoch - b.epoch)),
    template_similarity: v.template_similarity,
    score: unit(v.score, `${where}.score`),
    first_seen: first,
    last_seen: last,
    updated_at: isoTimestamp(v.updated_at, `${where}.updated_at`),
    status: v.status,
    labels: [...new Set(strings(v.labels, `${where}.labels`))].sort(),
  };
}
