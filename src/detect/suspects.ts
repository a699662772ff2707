import { IDENTIFIER_KINDS, type Suspect } from '../fingerprint/suspect.js';
import type { Verdict } from './detector.js';
import type { Evidence } from './evidence.js';
import { toText } from './log/bytes.js';

/**
 * Verdicts as suspects in the format `cordon publish --raw` takes
 * (src/fingerprint/suspect.ts). Pure.
 */
export const DEFAULT_EXPIRY_DAYS = 90;
const DAY_MS = 86_400_000;
const MAX_REASON_CHARS = 1024;

export function toSuspect(v: Verdict, evidence: Evidence | undefined, now: number, expiryDays: number): Suspect {
  const identifiers: Suspect['identifiers'] = {};
  for (const kind of IDENTIFIER_KINDS) {
    const values = evidence ? [...evidence.values[kind]] : [];
    if (values.length > 0) identifiers[kind] = values;
  }
  const suspect: Suspect = {
    id: toText(v.id),
    identifiers,
    prompts: evidence ? [...evidence.prompts] : [],
    labels: v.codes,
    score: Math.round(v.score * 10_000) / 10_000,
    first_seen: new Date(v.firstSeen).toISOString(),
    last_seen: new Date(v.lastSeen).toISOString(),
    // A suspicion is evidence about a window of time; it lapses unless renewed by a later run.
    expires: new Date(Math.max(now, v.lastSeen) + expiryDays * DAY_MS).toISOString(),
    reasons: v.reasons.map((r) => (r.length > MAX_REASON_CHARS ? r.slice(0, MAX_REASON_CHARS - 1) + '…' : r)).slice(0, 64),
  };
  if (v.cluster) suspect.cluster = toText(v.cluster);
  return suspect;
}
