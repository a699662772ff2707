import { CordonError } from '../../errors.js';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses a strict ISO 8601 timestamp (a calendar date, a time, and Z or an
 * offset) and renders it as STIX and TAXII want: UTC, milliseconds, 'Z'.
 * Throws INVALID_INPUT naming `where`.
 */
export function isoTimestamp(v: unknown, where: string): string {
  const m = typeof v === 'string' ? ISO_RE.exec(v) : null;
  if (!m) throw new CordonError('INVALID_INPUT', `${where}: must be an ISO 8601 timestamp like 2026-01-31T12:00:00Z, got ${JSON.stringify(v)}`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) {
    throw new CordonError('INVALID_INPUT', `${where}: not a calendar date/time: ${JSON.stringify(v)}`);
  }
  return new Date(Date.parse(v as string)).toISOString();
}

/** Milliseconds since the epoch as an ISO 8601 UTC timestamp with milliseconds. */
export function isoFromMs(ms: number | bigint): string {
  return new Date(Number(ms)).toISOString();
}
