import { fromBinary } from '@bufbuild/protobuf';
import { ReportSchema, type Report } from '../../gen/cordon/v1/regulator_pb.js';
import { CordonError } from '../../errors.js';
import { NODE_ID } from '../../federation/membership/schema.js';
import { TOKEN_BYTES } from '../../federation/chain/limits.js';
import { CAMPAIGN_REF } from '../views/campaign-view.js';
import { tokenKindName } from '../views/indicator-token.js';
import { MAX_CONTACT_CHARS, MAX_INDICATORS, MAX_NARRATIVE_CHARS, MAX_REPORT_BYTES, REPORT_CLOCK_SKEW_MS } from './limits.js';
import { findRawIdentifier } from './narrative-canary.js';

/**
 * The boundary check of a filed report, the same on both sides: the provider
 * runs it before signing (so a mistake never leaves its node) and the
 * regulator runs it on every FileReport (so nothing malformed is stored).
 * Pure; every failure is INVALID_INPUT naming the field.
 */

const bad = (field: string, what: string) => new CordonError('INVALID_INPUT', `report ${field}: ${what}`);

/** Decodes a report's exact bytes (size-checked first). */
export function decodeReport(bytes: Uint8Array): Report {
  if (bytes.length === 0) throw bad('bytes', 'empty');
  if (bytes.length > MAX_REPORT_BYTES) throw bad('bytes', `${bytes.length} bytes exceeds the ${MAX_REPORT_BYTES}-byte limit`);
  try {
    return fromBinary(ReportSchema, bytes, { readUnknownFields: false });
  } catch (err) {
    throw bad('bytes', `not a cordon.v1.Report (${(err as Error).message})`);
  }
}

/** Control characters other than tab and newline have no place in prose a person reads. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function text(value: string, field: string, max: number, opts: { singleLine?: boolean } = {}): void {
  if (value.trim() === '') throw bad(field, 'is required');
  if ([...value].length > max) throw bad(field, `${[...value].length} characters exceeds the limit of ${max}`);
  const control = CONTROL.exec(value);
  if (control) throw bad(field, `contains control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} at character ${control.index}`);
  if (opts.singleLine && /[\n\t]/.test(value)) throw bad(field, 'must be a single line');
}

/**
 * Throws unless the narrative looks free of raw customer identifiers. Reports
 * refer to accounts by the tokens in `indicators`; the narrative describes
 * behaviour. The error names the kind and position, never the value.
 */
export function checkNarrative(narrative: string): void {
  const hit = findRawIdentifier(narrative);
  if (hit) {
    throw bad('narrative', `looks like it contains a raw ${hit.kind} (at character ${hit.index}); ` +
      'a report must not carry raw customer data — refer to accounts by the tokens listed as indicators');
  }
}

export interface CheckReportOptions {
  /** The regulator's clock (ms); the report's created time must be within REPORT_CLOCK_SKEW_MS of it. */
  readonly now?: number;
}

export function checkReport(r: Report, opts: CheckReportOptions = {}): void {
  if (!NODE_ID.test(r.providerId)) throw bad('provider_id', `must be a node id, got ${JSON.stringify(r.providerId)}`);
  if (!CAMPAIGN_REF.test(r.campaignRef)) {
    throw bad('campaign_ref', r.campaignRef === '' ? 'is required' : `must be 1–128 chars of A-Z a-z 0-9 . _ : -, got ${JSON.stringify(r.campaignRef.slice(0, 140))}`);
  }
  if (r.indicators.length === 0) throw bad('indicators', 'at least one token is required');
  if (r.indicators.length > MAX_INDICATORS) throw bad('indicators', `${r.indicators.length} exceeds the limit of ${MAX_INDICATORS}`);
  const seen = new Set<string>();
  r.indicators.forEach((ind, i) => {
    const kind = tokenKindName(ind.kind);
    if (!kind) throw bad(`indicators[${i}].kind`, `unknown token kind ${ind.kind}`);
    if (ind.token.length !== TOKEN_BYTES) throw bad(`indicators[${i}].token`, `must be ${TOKEN_BYTES} bytes (a keyed token), got ${ind.token.length}`);
    const key = `${ind.kind}|${ind.epoch}|${Buffer.from(ind.token).toString('hex')}`;
    if (seen.has(key)) throw bad(`indicators[${i}]`, `repeats an earlier ${kind} token`);
    seen.add(key);
  });
  text(r.narrative, 'narrative', MAX_NARRATIVE_CHARS);
  checkNarrative(r.narrative);
  text(r.contact, 'contact', MAX_CONTACT_CHARS, { singleLine: true });
  if (r.createdMs <= 0n) throw bad('created_ms', 'is required');
  if (opts.now !== undefined) {
    const skew = Number(r.createdMs) - opts.now;
    if (Math.abs(skew) > REPORT_CLOCK_SKEW_MS) {
      throw bad('created_ms', `is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the regulator's clock (at most ${REPORT_CLOCK_SKEW_MS / 1000} s allowed; file reports fresh)`);
    }
  }
}
