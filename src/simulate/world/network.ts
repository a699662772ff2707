import { mix32, type Rng } from '../prng.js';

/**
 * Fake but realistic-looking network origins, all in blocks reserved for
 * documentation — so simulated logs never point at a real subscriber, and
 * the fingerprint module (which refuses private and shared address space)
 * still accepts them:
 * - IPv6 2001:db8::/32 (RFC 3849) for almost everything; the third group
 *   numbers the network (/48), so each ISP, carrier pool, cloud block and
 *   campus has its own /48s;
 * - IPv4 198.51.100.0/24 and 203.0.113.0/24 (RFC 5737) for commercial VPN
 *   exits, shared by many customers as real ones are;
 * - ASNs 64496–64511 and 65536–65551 (RFC 5398, documentation).
 */

/** Residential ISPs: 16, one documentation ASN each (65536–65551), 1024 /48s each. */
const RESIDENTIAL_ISPS = 16;
const NETS_PER_ISP = 1024;
/** Mobile carriers: 4 (ASNs 64504–64507), each a pool of 1024 /48s (third groups 0x4000–0x4fff). */
const MOBILE_CARRIERS = 4;
/** Clouds: 8 (ASNs 64496–64503) sharing 512 /48 "blocks" (third groups 0x8000–0x81ff). */
const CLOUDS = 8;
const CLOUD_BLOCKS = 512;
/** Campus and office networks: third groups 0xc000–0xffff; universities AS64508–64509, offices AS64510–64511. */
const ORG_NETS = 0x4000;

export interface Origin {
  readonly ip: string;
  readonly asn: string;
}

function hex(x: number): string {
  return (x & 0xffff).toString(16);
}

function v6(network: number, host: number): string {
  const h = mix32(host, network);
  return `2001:db8:${hex(network)}:${hex(h)}:${hex(h >>> 16)}::${hex(mix32(h, 7) | 1)}`;
}

/** A fixed home connection: one /48 of one residential ISP, one host. */
export function homeOrigin(key: number): Origin {
  const isp = key % RESIDENTIAL_ISPS;
  const net = isp * NETS_PER_ISP + (mix32(key, 0x4011e) % NETS_PER_ISP);
  return { ip: v6(net, key), asn: `AS${65536 + isp}` };
}

/** A mobile connection: the address changes from request to request within a carrier's pool. */
export function mobileOrigin(rng: Rng, carrierKey: number): Origin {
  const carrier = carrierKey % MOBILE_CARRIERS;
  return { ip: v6(0x4000 + carrier * 256 + rng.int(0, 255), rng.u32()), asn: `AS${64504 + carrier}` };
}

/** A residential proxy exit: someone's home connection anywhere, which is what makes them hard to block. */
export function residentialProxyExit(rng: Rng, pool: number, poolSize: number): Origin {
  return homeOrigin(mix32(pool, rng.int(0, poolSize - 1), 0x9e77));
}

/** A cloud VM: one block (/48) of one cloud, a host in it. */
export function cloudOrigin(blockKey: number, host: number): Origin {
  const block = ((blockKey % CLOUD_BLOCKS) + CLOUD_BLOCKS) % CLOUD_BLOCKS;
  const cloud = Math.floor(block / (CLOUD_BLOCKS / CLOUDS));
  return { ip: v6(0x8000 + block, host), asn: `AS${64496 + cloud}` };
}

/** A campus or office network: the organisation's /48, a host per machine. */
export function orgOrigin(orgKey: number, host: number, campus: boolean): Origin {
  const net = 0xc000 + (mix32(orgKey, 0x0ff1ce) % ORG_NETS);
  return { ip: v6(net, mix32(orgKey, host)), asn: `AS${(campus ? 64508 : 64510) + (orgKey % 2)}` };
}

/** A commercial VPN exit: a few IPv4 addresses shared by many customers. */
export function vpnExit(rng: Rng): Origin {
  const block = rng.chance(0.5) ? '198.51.100' : '203.0.113';
  return { ip: `${block}.${rng.int(1, 254)}`, asn: `AS${64502 + rng.int(0, 1)}` };
}
