/**
 * STIX 2.1 export of what the regulator sees (DESIGN.md §7, issue 5 item 5).
 *
 * Pure: a plain snapshot in, a STIX 2.1 bundle object out. No clock, no
 * randomness, no I/O — the same input always yields the byte-identical bundle,
 * and object ids are UUIDv5 of each object's natural key under
 * {@link CORDON_STIX_NAMESPACE}, so re-exports of the same campaign, token or
 * report carry the same STIX id and consumers dedupe (a later export of a grown
 * campaign is a new version of the same object: same id, later `modified`).
 *
 * What is emitted:
 * - `identity` (identity_class `organization`) for the consortium and for each
 *   provider. These carry no timestamps in the input, so `created`/`modified`
 *   are the fixed {@link IDENTITY_TIMESTAMP}.
 * - `campaign` per campaign: first_seen/last_seen, `created` = first_seen,
 *   `modified` = last_seen, created_by_ref the consortium, `labels`,
 *   `confidence` = round(score × 100), plus `x_cordon_*` custom properties
 *   (score, campaign id, template MinHash digests).
 * - `indicator` per distinct (kind, epoch, token): tokens are keyed PRF outputs,
 *   not hashes of anything a recipient could recompute, so they are NOT put in
 *   a `hashes` dictionary; they are modelled as a custom cyber-observable type
 *   `x-cordon-token` in a STIX pattern (patterns are strings in the OASIS
 *   schema; STIX patterning allows custom object types):
 *     [x-cordon-token:kind = 'email' AND x-cordon-token:epoch = 3 AND x-cordon-token:value = '<64 hex>']
 *   A token shared by several campaigns is one indicator with one relationship
 *   per campaign.
 * - `relationship`s, only types the STIX 2.1 spec defines for these pairs:
 *   indicator `indicates` campaign; campaign `targets` identity (the providers
 *   whose models the campaign was distilling).
 * - `report` per filed report (created_by_ref the filing provider, published =
 *   filed_at, description = narrative, object_refs = campaign, its indicators,
 *   the provider).
 *
 * The input carries tokens only; nothing here can emit a raw identifier except
 * whatever a provider wrote in a report's free-text narrative, which is passed
 * through as the report's description.
 */
import { createHash } from 'node:crypto';
import { CordonError } from '../../errors.js';

// ---------------------------------------------------------------------------
// Input

export const TOKEN_KINDS = [
  'email',
  'phone',
  'ip',
  'ip_prefix',
  'asn',
  'payment',
  'device',
  'org_domain',
  'api_key',
] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export interface StixConsortium {
  name: string;
}

export interface StixProvider {
  id: string;
  organisation: string;
}

export interface StixIndicatorInput {
  kind: TokenKind;
  /** 64 hex chars (32-byte keyed PRF output); normalised to lowercase. */
  token_hex: string;
  epoch: number;
}

export interface StixTemplateInput {
  minhash_digest_hex: string;
}

export interface StixCampaignInput {
  /** Stable campaign id; the natural key of the STIX campaign. */
  id: string;
  name?: string;
  /** ISO 8601 with 'Z' or a ±hh:mm offset. */
  first_seen: string;
  last_seen: string;
  /** Provider ids; at least one, each in `providers`. */
  providers: string[];
  /** 0..1 */
  score: number;
  labels: string[];
  indicators: StixIndicatorInput[];
  templates?: StixTemplateInput[];
}

export interface StixReportInput {
  id: string;
  /** Provider id of the filer. */
  provider: string;
  narrative: string;
  filed_at: string;
  campaign_id: string;
}

export interface StixExportInput {
  consortium: StixConsortium;
  providers: StixProvider[];
  campaigns: StixCampaignInput[];
  reports?: StixReportInput[];
}

// ---------------------------------------------------------------------------
// Output

export interface StixObject {
  type: string;
  spec_version: '2.1';
  id: string;
  created: string;
  modified: string;
  [property: string]: unknown;
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/**
 * UUIDv5 namespace for every Cordon STIX id. Fixed forever: changing it would
 * give every exported object a new id and break deduplication downstream.
 */
export const CORDON_STIX_NAMESPACE = 'd90d6c5b-6de6-4b57-8f35-a55a33bbcc5c';

/** created/modified of identity objects, which have no timestamps of their own. */
export const IDENTITY_TIMESTAMP = '2026-01-01T00:00:00.000Z';

/** RFC 9562 UUIDv5 (SHA-1, name-based) of `name` under `namespace`. */
export function uuidv5(name: string, namespace: string = CORDON_STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new CordonError('INVALID_INPUT', `uuidv5: bad namespace ${namespace}`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = h.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The STIX id of an object of `type` with natural key `key`. */
export function stixId(type: string, key: string): string {
  return `${type}--${uuidv5(`${type}|${key}`)}`;
}

// ---------------------------------------------------------------------------
// Validation helpers

function bad(where: string, what: string): CordonError {
  return new CordonError('INVALID_INPUT', `stix export: ${where}: ${what}`);
}

function nonEmptyString(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad(where, `must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses a strict ISO 8601 timestamp and renders it as STIX wants: UTC, milliseconds, 'Z'. */
function timestamp(v: unknown, where: string): string {
  const m = typeof v === 'string' ? ISO_RE.exec(v) : null;
  if (!m) throw bad(where, `must be an ISO 8601 timestamp like 2026-01-31T12:00:00Z, got ${JSON.stringify(v)}`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) {
    throw bad(where, `not a calendar date/time: ${JSON.stringify(v)}`);
  }
  const t = Date.parse(v as string);
  if (!Number.isFinite(t)) throw bad(where, `unparseable timestamp ${JSON.stringify(v)}`);
  return new Date(t).toISOString();
}

const TOKEN_RE = /^[0-9a-fA-F]{64}$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;

// ---------------------------------------------------------------------------
// Export

interface IndicatorAcc {
  id: string;
  kind: TokenKind;
  token: string;
  epoch: number;
  first: string;
  last: string;
}

const byId = (a: StixObject, b: StixObject): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Builds the STIX 2.1 bundle. Throws CordonError('INVALID_INPUT') naming the
 * offending field on any malformed input. Output order: identities, campaigns,
 * indicators, relationships, reports, each sorted by id.
 */
export function exportStixBundle(input: StixExportInput): StixBundle {
  if (typeof input !== 'object' || input === null) throw bad('input', 'must be an object');
  const consortiumName = nonEmptyString(input.consortium?.name, 'consortium.name');
  const consortiumId = stixId('identity', `consortium|${consortiumName}`);

  const identities: StixObject[] = [
    {
      type: 'identity',
      spec_version: '2.1',
      id: consortiumId,
      created: IDENTITY_TIMESTAMP,
      modified: IDENTITY_TIMESTAMP,
      name: consortiumName,
      identity_class: 'organization',
      roles: ['consortium'],
    },
  ];

  if (!Array.isArray(input.providers)) throw bad('providers', 'must be an array');
  const providerIds = new Map<string, string>();
  input.providers.forEach((p, i) => {
    const pid = nonEmptyString(p?.id, `providers[${i}].id`);
    const org = nonEmptyString(p?.organisation, `providers[${i}].organisation`);
    if (providerIds.has(pid)) throw bad(`providers[${i}].id`, `duplicate provider id ${JSON.stringify(pid)}`);
    const id = stixId('identity', `provider|${pid}`);
    providerIds.set(pid, id);
    identities.push({
      type: 'identity',
      spec_version: '2.1',
      id,
      created: IDENTITY_TIMESTAMP,
      modified: IDENTITY_TIMESTAMP,
      created_by_ref: consortiumId,
      name: org,
      identity_class: 'organization',
      roles: ['provider'],
      x_cordon_provider_id: pid,
    });
  });

  if (!Array.isArray(input.campaigns)) throw bad('campaigns', 'must be an array');
  const campaigns: StixObject[] = [];
  const relationships: StixObject[] = [];
  const indicators = new Map<string, IndicatorAcc>();
  const campaignIds = new Map<string, { id: string; indicatorIds: Set<string> }>();

  input.campaigns.forEach((c, i) => {
    const w = `campaigns[${i}]`;
    if (typeof c !== 'object' || c === null) throw bad(w, 'must be an object');
    const cid = nonEmptyString(c.id, `${w}.id`);
    if (campaignIds.has(cid)) throw bad(`${w}.id`, `duplicate campaign id ${JSON.stringify(cid)}`);
    const name = c.name === undefined ? `Cordon campaign ${cid}` : nonEmptyString(c.name, `${w}.name`);
    const first = timestamp(c.first_seen, `${w}.first_seen`);
    const last = timestamp(c.last_seen, `${w}.last_seen`);
    if (last < first) throw bad(`${w}.last_seen`, `${last} is before first_seen ${first}`);
    if (typeof c.score !== 'number' || !Number.isFinite(c.score) || c.score < 0 || c.score > 1) {
      throw bad(`${w}.score`, `must be a number in [0, 1], got ${JSON.stringify(c.score)}`);
    }
    if (!Array.isArray(c.providers) || c.providers.length === 0) {
      throw bad(`${w}.providers`, 'must list at least one provider id');
    }
    const targets = new Set<string>();
    c.providers.forEach((p, j) => {
      const ref = providerIds.get(p);
      if (typeof p !== 'string' || ref === undefined) {
        throw bad(`${w}.providers[${j}]`, `unknown provider id ${JSON.stringify(p)}`);
      }
      targets.add(ref);
    });
    if (!Array.isArray(c.labels)) throw bad(`${w}.labels`, 'must be an array of strings');
    const labels = [...new Set(c.labels.map((l, j) => nonEmptyString(l, `${w}.labels[${j}]`)))].sort();
    const digests = (c.templates ?? []).map((t, j) => {
      const d = t?.minhash_digest_hex;
      if (typeof d !== 'string' || !HEX_RE.test(d)) {
        throw bad(`${w}.templates[${j}].minhash_digest_hex`, `must be non-empty even-length hex, got ${JSON.stringify(d)}`);
      }
      return d.toLowerCase();
    });
    if (!Array.isArray(c.indicators)) throw bad(`${w}.indicators`, 'must be an array');

    const campaignStixId = stixId('campaign', cid);
    const indicatorIds = new Set<string>();
    c.indicators.forEach((ind, j) => {
      const iw = `${w}.indicators[${j}]`;
      if (typeof ind !== 'object' || ind === null) throw bad(iw, 'must be an object');
      if (!(TOKEN_KINDS as readonly string[]).includes(ind.kind)) {
        throw bad(`${iw}.kind`, `unknown kind ${JSON.stringify(ind.kind)} (expected one of ${TOKEN_KINDS.join(', ')})`);
      }
      if (typeof ind.token_hex !== 'string' || !TOKEN_RE.test(ind.token_hex)) {
        throw bad(`${iw}.token_hex`, `must be exactly 64 hex characters, got ${JSON.stringify(ind.token_hex)}`);
      }
      if (typeof ind.epoch !== 'number' || !Number.isSafeInteger(ind.epoch) || ind.epoch < 0) {
        throw bad(`${iw}.epoch`, `must be a non-negative integer, got ${JSON.stringify(ind.epoch)}`);
      }
      const token = ind.token_hex.toLowerCase();
      const key = `${ind.kind}|${ind.epoch}|${token}`;
      const id = stixId('indicator', key);
      const acc = indicators.get(key);
      if (acc) {
        if (first < acc.first) acc.first = first;
        if (last > acc.last) acc.last = last;
      } else {
        indicators.set(key, { id, kind: ind.kind, token, epoch: ind.epoch, first, last });
      }
      indicatorIds.add(id);
    });
    campaignIds.set(cid, { id: campaignStixId, indicatorIds });

    const campaign: StixObject = {
      type: 'campaign',
      spec_version: '2.1',
      id: campaignStixId,
      created: first,
      modified: last,
      created_by_ref: consortiumId,
      name,
      first_seen: first,
      last_seen: last,
      confidence: Math.round(c.score * 100),
      x_cordon_campaign_id: cid,
      x_cordon_score: c.score,
    };
    if (labels.length > 0) campaign.labels = labels;
    if (digests.length > 0) campaign.x_cordon_template_digests = [...new Set(digests)].sort();
    campaigns.push(campaign);

    for (const indicatorId of indicatorIds) {
      relationships.push(relationship('indicates', indicatorId, campaignStixId, first, last, consortiumId));
    }
    for (const target of targets) {
      relationships.push(relationship('targets', campaignStixId, target, first, last, consortiumId));
    }
  });

  const indicatorObjects: StixObject[] = [...indicators.values()].map((a) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: a.id,
    created: a.first,
    modified: a.last,
    created_by_ref: consortiumId,
    name: `Cordon ${a.kind} token (epoch ${a.epoch})`,
    description:
      'Keyed PRF token of an account identifier shared in the Cordon federation; ' +
      'only consortium members holding the epoch key can compute matching tokens.',
    indicator_types: ['anomalous-activity'],
    pattern:
      `[x-cordon-token:kind = '${a.kind}' AND x-cordon-token:epoch = ${a.epoch} ` +
      `AND x-cordon-token:value = '${a.token}']`,
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: a.first,
    x_cordon_token_kind: a.kind,
    x_cordon_token_epoch: a.epoch,
  }));

  const reports: StixObject[] = [];
  const reportKeys = new Set<string>();
  (input.reports ?? []).forEach((r, i) => {
    const w = `reports[${i}]`;
    if (typeof r !== 'object' || r === null) throw bad(w, 'must be an object');
    const rid = nonEmptyString(r.id, `${w}.id`);
    if (reportKeys.has(rid)) throw bad(`${w}.id`, `duplicate report id ${JSON.stringify(rid)}`);
    reportKeys.add(rid);
    const filer = providerIds.get(r.provider);
    if (typeof r.provider !== 'string' || filer === undefined) {
      throw bad(`${w}.provider`, `unknown provider id ${JSON.stringify(r.provider)}`);
    }
    const campaign = campaignIds.get(r.campaign_id);
    if (typeof r.campaign_id !== 'string' || campaign === undefined) {
      throw bad(`${w}.campaign_id`, `unknown campaign id ${JSON.stringify(r.campaign_id)}`);
    }
    if (typeof r.narrative !== 'string') throw bad(`${w}.narrative`, 'must be a string');
    const filed = timestamp(r.filed_at, `${w}.filed_at`);
    const report: StixObject = {
      type: 'report',
      spec_version: '2.1',
      id: stixId('report', rid),
      created: filed,
      modified: filed,
      created_by_ref: filer,
      name: `Cordon filed report ${rid}`,
      report_types: ['campaign'],
      published: filed,
      object_refs: [campaign.id, ...[...campaign.indicatorIds].sort(), filer],
      x_cordon_report_id: rid,
    };
    if (r.narrative !== '') report.description = r.narrative;
    reports.push(report);
  });

  const objects = [
    ...identities.sort(byId),
    ...campaigns.sort(byId),
    ...indicatorObjects.sort(byId),
    ...relationships.sort(byId),
    ...reports.sort(byId),
  ];
  const bundleKey = objects.map((o) => `${o.id}@${o.modified}`).join(',');
  return { type: 'bundle', id: `bundle--${uuidv5(`bundle|${bundleKey}`)}`, objects };
}

function relationship(
  type: 'indicates' | 'targets',
  source: string,
  target: string,
  created: string,
  modified: string,
  createdBy: string,
): StixObject {
  return {
    type: 'relationship',
    spec_version: '2.1',
    id: stixId('relationship', `${type}|${source}|${target}`),
    created,
    modified,
    created_by_ref: createdBy,
    relationship_type: type,
    source_ref: source,
    target_ref: target,
  };
}
