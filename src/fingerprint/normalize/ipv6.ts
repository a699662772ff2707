import { parseIPv4 } from './ipv4.js';

/**
 * IPv6 text parsing (RFC 4291 §2.2) and canonical formatting (RFC 5952).
 * Hand-written scanner: one pass, no regex, and it reports why a string is
 * not an address.
 */

export type IPv6Parse = { ok: true; hextets: number[] } | { ok: false; problem: 'malformed' | 'zone' };

const MALFORMED: IPv6Parse = { ok: false, problem: 'malformed' };

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // ASCII lower-case
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

export function parseIPv6(s: string): IPv6Parse {
  // Zone ids ("fe80::1%eth0") name an interface on the sender's host; they
  // are meaningless elsewhere and are never part of a peer's address.
  if (s.includes('%')) return { ok: false, problem: 'zone' };
  const groups: number[] = [];
  let gap = -1; // index in `groups` where '::' stands
  let i = 0;
  const n = s.length;
  if (n < 2) return MALFORMED;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return MALFORMED; // a lone leading ':'
    gap = 0;
    i = 2;
    if (i === n) return { ok: true, hextets: [0, 0, 0, 0, 0, 0, 0, 0] };
  }
  while (i < n) {
    // One group: up to 4 hex digits, or a trailing dotted IPv4.
    const start = i;
    let v = 0;
    while (i < n) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      i++;
    }
    if (i < n && s.charCodeAt(i) === 0x2e) {
      // Embedded IPv4 (e.g. ::ffff:192.0.2.1): only as the last 32 bits.
      const v4 = parseIPv4(s, start, n);
      if (v4 < 0 || groups.length > 6) return MALFORMED;
      groups.push(v4 >>> 16, v4 & 0xffff);
      i = n;
      break;
    }
    const len = i - start;
    if (len === 0 || len > 4) return MALFORMED;
    groups.push(v);
    if (groups.length > 8) return MALFORMED;
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x3a) return MALFORMED;
    i++;
    if (i < n && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return MALFORMED; // at most one '::'
      gap = groups.length;
      i++;
    } else if (i === n) {
      return MALFORMED; // trailing single ':'
    }
  }
  if (gap < 0) {
    return groups.length === 8 ? { ok: true, hextets: groups } : MALFORMED;
  }
  // '::' stands for one or more zero groups.
  if (groups.length > 7) return MALFORMED;
  const hextets = new Array<number>(8).fill(0);
  for (let k = 0; k < gap; k++) hextets[k] = groups[k]!;
  const tail = groups.length - gap;
  for (let k = 0; k < tail; k++) hextets[8 - tail + k] = groups[gap + k]!;
  return { ok: true, hextets };
}

/**
 * RFC 5952 §4: lower-case hex without leading zeros; the longest run of two
 * or more zero groups (the first, on a tie) becomes '::'; a single zero group
 * stays '0'.
 */
export function formatIPv6(h: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (h[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && h[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      out += '::';
      k += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += h[k]!.toString(16);
  }
  return out;
}
