/**
 * Address blocks that do not identify one host on the public internet
 * (IANA special-purpose registries, RFC 6890). A provider sees them only
 * through a misconfigured proxy header or an internal hop, and the same
 * 10.0.0.1 exists in every provider's network: tokenizing it would make
 * unrelated suspects "match" across the federation. So they are rejected,
 * with the reason, rather than shared.
 *
 * Documentation blocks (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32) are deliberately accepted, like example.com for email: they
 * never occur in real traffic, and tests and demos need addresses that cannot
 * belong to anyone.
 */

interface V4Block {
  readonly base: number;
  readonly mask: number;
  readonly reason: string;
}

function v4(a: number, b: number, prefix: number, reason: string): V4Block {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: ((a << 24) | (b << 16)) >>> 0, mask, reason };
}

const PRIVATE = 'ip address is private-use (not globally unique)';

const V4_BLOCKS: readonly V4Block[] = [
  v4(0, 0, 8, 'ip address is in the unspecified ("this network") block'),
  v4(10, 0, 8, PRIVATE),
  v4(100, 64, 10, 'ip address is carrier-grade NAT shared space (not globally unique)'),
  v4(127, 0, 8, 'ip address is loopback'),
  v4(169, 254, 16, 'ip address is link-local'),
  v4(172, 16, 12, PRIVATE),
  v4(192, 168, 16, PRIVATE),
  v4(198, 18, 15, 'ip address is reserved for benchmarking'),
  v4(224, 0, 4, 'ip address is multicast'),
  v4(240, 0, 4, 'ip address is reserved (or broadcast)'),
];

/** The reason an IPv4 address (unsigned 32-bit) is not shareable, or null. */
export function specialIPv4(addr: number): string | null {
  for (const b of V4_BLOCKS) {
    if (((addr & b.mask) >>> 0) === b.base) return b.reason;
  }
  return null;
}

/** The reason an IPv6 address (eight hextets, not IPv4-mapped) is not shareable, or null. */
export function specialIPv6(h: readonly number[]): string | null {
  const first = h[0]!;
  if (first === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0 && h[6] === 0) {
    if (h[7] === 0) return 'ip address is unspecified';
    if (h[7] === 1) return 'ip address is loopback';
  }
  if ((first & 0xfe00) === 0xfc00) return 'ip address is a unique local address (not globally unique)';
  if ((first & 0xffc0) === 0xfe80) return 'ip address is link-local';
  if ((first & 0xffc0) === 0xfec0) return 'ip address is site-local (deprecated, not globally unique)';
  if ((first & 0xff00) === 0xff00) return 'ip address is multicast';
  return null;
}
