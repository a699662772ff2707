import { formatIPv4, formatIPv4Prefix24, IPV4_LEADING_ZERO, parseIPv4 } from './ipv4.js';
import { formatIPv6, parseIPv6 } from './ipv6.js';
import { specialIPv4, specialIPv6 } from './ip-special.js';
import { fail, type NormalizeResult } from './types.js';

/**
 * IP: yields two tokens, the exact address (`ip`) and its network (`ip_prefix`):
 * IPv4 /24, IPv6 /48. Campaigns rotate addresses within a provider's
 * allocation, so the prefix matches where the address does not; /24 and /48
 * are the usual smallest units routed and assigned to one site.
 *
 * IPv4-mapped IPv6 (::ffff:192.0.2.1) is the IPv4 address as a dual-stack
 * socket reports it, so it becomes that IPv4 address; one host, one token.
 * Other transition forms (6to4, Teredo, NAT64) are kept as IPv6: the embedded
 * IPv4 address is a relay or a gateway, not necessarily the client.
 */

// Longest textual IPv6 is 45 characters (with an embedded IPv4 tail).
const MAX_IP_LENGTH = 45;

export function normalizeIp(raw: string): NormalizeResult {
  const s = raw.trim();
  if (s.length === 0) return fail('ip address is empty');
  if (s.includes('/')) return fail('ip address has a prefix length; give a single address');
  if (s.charCodeAt(0) === 0x5b /* [ */) return fail('ip address is bracketed; give the bare address');
  if (s.length > MAX_IP_LENGTH && !s.includes('%')) return fail('ip address is malformed');

  const firstColon = s.indexOf(':');
  if (firstColon < 0) return fromIPv4(s);
  // Every IPv6 address has at least two colons; one colon means host:port.
  if (s.indexOf(':', firstColon + 1) < 0) {
    return parseIPv4(s, 0, firstColon) >= 0 ? fail('ip address has a port; give the bare address') : fail('ip address is malformed');
  }

  const v6 = parseIPv6(s);
  if (!v6.ok) {
    return fail(v6.problem === 'zone' ? 'ip address has a zone id' : 'ip address is malformed');
  }
  const h = v6.hextets;
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    return fromIPv4Value(((h[6]! << 16) | h[7]!) >>> 0);
  }
  const special = specialIPv6(h);
  if (special !== null) return fail(special);
  const prefix = formatIPv6([h[0]!, h[1]!, h[2]!, 0, 0, 0, 0, 0]);
  return {
    ok: true,
    values: [
      { kind: 'ip', value: formatIPv6(h) },
      { kind: 'ip_prefix', value: `${prefix}/48` },
    ],
  };
}

function fromIPv4(s: string): NormalizeResult {
  const v = parseIPv4(s);
  if (v === IPV4_LEADING_ZERO) return fail('ip address has an octet with a leading zero (octal or decimal is ambiguous)');
  if (v < 0) return fail('ip address is malformed');
  return fromIPv4Value(v);
}

function fromIPv4Value(v: number): NormalizeResult {
  const special = specialIPv4(v);
  if (special !== null) return fail(special);
  return {
    ok: true,
    values: [
      { kind: 'ip', value: formatIPv4(v) },
      { kind: 'ip_prefix', value: formatIPv4Prefix24(v) },
    ],
  };
}
