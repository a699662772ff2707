/**
 * TAXII timestamps at microsecond precision: date_added is assigned by this
 * server in microseconds (taxii_objects.date_added_us) and rendered as RFC 3339
 * UTC with six fraction digits; clients send them back in added_after.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** Microseconds since the epoch, or undefined when `s` is not an RFC 3339 timestamp of a real date and time. */
export function parseTimestampUs(s: string): bigint | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || sec > 59) return undefined;
  const whole = Date.parse(`${m.slice(1, 4).join('-')}T${m.slice(4, 7).join(':')}${m[8]!.toUpperCase()}`);
  if (!Number.isFinite(whole)) return undefined;
  // Sub-microsecond digits are dropped: with `added_after` (strictly after) that never admits an earlier object.
  const fraction = BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6));
  return BigInt(whole) * 1000n + fraction;
}

export function formatTimestampUs(us: bigint): string {
  const ms = us / 1000n;
  const iso = new Date(Number(ms)).toISOString(); // …ss.mmmZ
  return `${iso.slice(0, 23)}${(us % 1000n).toString().padStart(3, '0')}Z`;
}
