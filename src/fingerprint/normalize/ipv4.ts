/**
 * Strict dotted-quad IPv4: exactly four decimal octets 0–255.
 *
 * Leading zeros are rejected: inet_aton() and many tools read "010" as octal
 * (8), others as decimal (10), so "010.1.1.1" names different hosts in
 * different pipelines and we cannot know which the provider meant. Shorthand
 * and numeric forms ("127.1", "0x7f.0.0.1", "2130706433") are rejected for the
 * same reason.
 */

export const IPV4_MALFORMED = -1;
export const IPV4_LEADING_ZERO = -2;

/** Parses s[start, end) and returns the address as an unsigned 32-bit number, or a negative code. */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (true) {
    const octetStart = i;
    let octet = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
      i++;
      if (i - octetStart > 3) return IPV4_MALFORMED;
    }
    const len = i - octetStart;
    if (len === 0 || octet > 255) return IPV4_MALFORMED;
    if (len > 1 && s.charCodeAt(octetStart) === 0x30) return IPV4_LEADING_ZERO;
    value = value * 256 + octet; // multiplication, not <<, to stay unsigned
    octets++;
    if (octets === 4) return i === end ? value : IPV4_MALFORMED;
    if (i >= end || s.charCodeAt(i) !== 0x2e) return IPV4_MALFORMED;
    i++;
  }
}

export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** The /24 network containing v, as "a.b.c.0/24". */
export function formatIPv4Prefix24(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.0/24`;
}
