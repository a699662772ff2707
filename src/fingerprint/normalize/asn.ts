import { fail, ok, type NormalizeResult } from './types.js';

/**
 * ASN: accepts "AS15169", "as15169", "15169", "ASN 15169", "AS 15169", and
 * asdot "AS1.10" (RFC 5396, = 65546); yields "AS15169" (asplain, RFC 5396's
 * canonical form). Leading zeros are harmless here (no octal reading exists
 * for ASNs) and are dropped.
 *
 * Rejected, because they name no single network and would match unrelated
 * suspects:
 * - 0 (RFC 7607) and 65535, 4294967295 (RFC 7300): reserved;
 * - 23456 AS_TRANS (RFC 6793): a stand-in for any 4-byte ASN seen by an old speaker;
 * - 64512–65534 and 4200000000–4294967294 (RFC 6996): private use, reused everywhere.
 * Documentation ASNs (64496–64511, 65536–65551, RFC 5398) are accepted, like
 * example.com, so tests and demos have ASNs that belong to no one.
 */

const MAX_ASN = 4294967295;

export function normalizeAsn(raw: string): NormalizeResult {
  let s = raw.trim();
  if (s.length === 0) return fail('asn is empty');
  if (s.length > 32) return fail('asn is malformed');

  // Optional "AS" / "ASN" prefix, any case, optionally followed by spaces.
  const c0 = s.charCodeAt(0) | 0x20;
  const c1 = s.charCodeAt(1) | 0x20;
  if (c0 === 0x61 /* a */ && c1 === 0x73 /* s */) {
    let i = 2;
    if ((s.charCodeAt(2) | 0x20) === 0x6e /* n */) i = 3;
    while (i < s.length && s.charCodeAt(i) === 0x20) i++;
    s = s.slice(i);
    if (s.length === 0) return fail('asn has no number');
  }

  const dot = s.indexOf('.');
  let value: number;
  if (dot < 0) {
    value = parseDecimal(s, 0, s.length);
  } else {
    // asdot: high.low, each a 16-bit number.
    const high = parseDecimal(s, 0, dot);
    const low = parseDecimal(s, dot + 1, s.length);
    if (high < 0 || low < 0) return fail('asn is malformed');
    if (high > 0xffff || low > 0xffff) return fail('asn in asdot notation is out of range');
    value = high * 65536 + low;
  }
  if (value === -1) return fail('asn is malformed');
  if (value === -2 || value > MAX_ASN) return fail('asn is out of the 32-bit range');

  if (value === 0 || value === 65535 || value === MAX_ASN) return fail('asn is reserved');
  if (value === 23456) return fail('asn is AS_TRANS, a placeholder for any four-byte asn');
  if ((value >= 64512 && value <= 65534) || (value >= 4200000000 && value <= 4294967294)) {
    return fail('asn is private-use (not globally unique)');
  }
  return ok('asn', `AS${value}`);
}

/** Decimal digits only. -1 if empty or not digits; -2 if too many digits to be 32-bit. */
function parseDecimal(s: string, start: number, end: number): number {
  if (end <= start) return -1;
  let v = 0;
  let significant = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
    if (v > 0 && ++significant > 10) return -2;
  }
  return v;
}
