import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, [address, prefix] | { reason }] */
type Case = [input: string, want: readonly [ip: string, prefix: string] | { reason: string }];

const MALFORMED = { reason: 'ip address is malformed' };
const PRIVATE = { reason: 'ip address is private-use (not globally unique)' };

const cases: Case[] = [
  // IPv4: address and /24.
  ['8.8.8.8', ['8.8.8.8', '8.8.8.0/24']],
  [' 203.0.113.45 ', ['203.0.113.45', '203.0.113.0/24']],
  ['1.0.0.1', ['1.0.0.1', '1.0.0.0/24']],
  ['172.32.0.1', ['172.32.0.1', '172.32.0.0/24']], // just outside 172.16.0.0/12
  ['223.255.255.254', ['223.255.255.254', '223.255.255.0/24']],
  // IPv4-mapped IPv6 is the IPv4 address.
  ['::ffff:8.8.4.4', ['8.8.4.4', '8.8.4.0/24']],
  ['::FFFF:0808:0404', ['8.8.4.4', '8.8.4.0/24']],
  ['0:0:0:0:0:ffff:192.0.2.1', ['192.0.2.1', '192.0.2.0/24']],
  // IPv6: RFC 5952 text and /48.
  ['2001:db8::1', ['2001:db8::1', '2001:db8::/48']],
  ['2001:0DB8:0000:0000:0000:0000:0000:0001', ['2001:db8::1', '2001:db8::/48']],
  ['2001:db8:0:0:1:0:0:1', ['2001:db8::1:0:0:1', '2001:db8::/48']], // first of equal runs
  ['2001:db8:0:1:1:1:1:1', ['2001:db8:0:1:1:1:1:1', '2001:db8::/48']], // one zero group is not '::'
  ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff', ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff', '2001:db8:aaaa::/48']],
  ['2a00:1450:4001:82b::200e', ['2a00:1450:4001:82b::200e', '2a00:1450:4001::/48']],
  ['2001:db8::', ['2001:db8::', '2001:db8::/48']],
  ['2001:db8:1:2:3:4:5::', ['2001:db8:1:2:3:4:5:0', '2001:db8:1::/48']],
  ['2001:0:0:1:0:0:0:1', ['2001:0:0:1::1', '2001::/48']], // longest run wins
  ['64:ff9b::192.0.2.33', ['64:ff9b::c000:221', '64:ff9b::/48']], // NAT64 stays IPv6

  // Malformed.
  ['', { reason: 'ip address is empty' }],
  ['256.1.1.1', MALFORMED],
  ['1.2.3', MALFORMED],
  ['1.2.3.4.5', MALFORMED],
  ['1..2.3', MALFORMED],
  ['0x7f.0.0.1', MALFORMED],
  ['2130706433', MALFORMED],
  ['01.2.3.4', { reason: 'ip address has an octet with a leading zero (octal or decimal is ambiguous)' }],
  ['1.2.3.04', { reason: 'ip address has an octet with a leading zero (octal or decimal is ambiguous)' }],
  ['1.2.3.4/24', { reason: 'ip address has a prefix length; give a single address' }],
  ['1.2.3.4:443', { reason: 'ip address has a port; give the bare address' }],
  ['[2001:db8::1]', { reason: 'ip address is bracketed; give the bare address' }],
  ['fe80::1%eth0', { reason: 'ip address has a zone id' }],
  ['2001:db8::1::2', MALFORMED],
  ['2001:db8:::1', MALFORMED],
  ['1:2:3:4:5:6:7:8:9', MALFORMED],
  ['1:2:3:4:5:6:7', MALFORMED],
  ['1:2:3:4:5:6:7:8::', MALFORMED],
  ['12345::1', MALFORMED],
  ['g::1', MALFORMED],
  ['1::2:', MALFORMED],
  [':1', MALFORMED],
  ['::1.2.3.4:5', MALFORMED],
  ['not an ip', MALFORMED],
  // Not globally unique or not a host: rejected, not shared.
  ['10.1.2.3', PRIVATE],
  ['172.16.0.1', PRIVATE],
  ['192.168.1.1', PRIVATE],
  ['::ffff:10.0.0.1', PRIVATE],
  ['100.64.0.1', { reason: 'ip address is carrier-grade NAT shared space (not globally unique)' }],
  ['127.0.0.1', { reason: 'ip address is loopback' }],
  ['0.0.0.0', { reason: 'ip address is in the unspecified ("this network") block' }],
  ['169.254.1.1', { reason: 'ip address is link-local' }],
  ['224.0.0.1', { reason: 'ip address is multicast' }],
  ['255.255.255.255', { reason: 'ip address is reserved (or broadcast)' }],
  ['198.18.0.1', { reason: 'ip address is reserved for benchmarking' }],
  ['::', { reason: 'ip address is unspecified' }],
  ['::1', { reason: 'ip address is loopback' }],
  ['fd12:3456::1', { reason: 'ip address is a unique local address (not globally unique)' }],
  ['fe80::1', { reason: 'ip address is link-local' }],
  ['fec0::1', { reason: 'ip address is site-local (deprecated, not globally unique)' }],
  ['ff02::1', { reason: 'ip address is multicast' }],
];

describe('normalize ip', () => {
  it.each(cases.map(([input, want]) => [JSON.stringify(input), input, want] as const))('%s', (_label, input, want) => {
    const r = normalizeIdentifier('ip', input);
    if ('reason' in want) {
      expect(r).toEqual({ ok: false, reason: want.reason });
    } else {
      expect(r).toEqual({
        ok: true,
        values: [
          { kind: 'ip', value: want[0] },
          { kind: 'ip_prefix', value: want[1] },
        ],
      });
    }
  });
});
