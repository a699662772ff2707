import { CordonError } from '../../errors.js';

/**
 * Entry bundles: the data of up to 256 consecutive leaves in one row, each
 * as a 4-byte big-endian length then the bytes (C2SP tlog-tiles bundles use a
 * 2-byte length; leaves here may exceed 64 KiB). The encoding concatenates,
 * so extending a partial bundle is appending bytes to it.
 */

/** Largest leaf the log stores: leaves are summaries (digests, signatures, counts), never payloads. */
export const MAX_LEAF_BYTES = 1 << 20;
const LENGTH_BYTES = 4;

export function encodeBundle(leaves: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const l of leaves) total += LENGTH_BYTES + l.length;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const l of leaves) {
    out.writeUInt32BE(l.length, pos);
    out.set(l, pos + LENGTH_BYTES);
    pos += LENGTH_BYTES + l.length;
  }
  return out;
}

/**
 * The leaves of a stored bundle (views into `data`). Throws INTERNAL naming
 * the bundle when the bytes do not parse: that is corrupted storage.
 */
export function decodeBundle(data: Uint8Array, where: string): Uint8Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (pos + LENGTH_BYTES > data.length) throw new CordonError('INTERNAL', `${where}: truncated length at byte ${pos}`);
    const len = view.getUint32(pos);
    if (pos + LENGTH_BYTES + len > data.length) throw new CordonError('INTERNAL', `${where}: leaf at byte ${pos} runs past the bundle (${len} bytes)`);
    out.push(data.subarray(pos + LENGTH_BYTES, pos + LENGTH_BYTES + len));
    pos += LENGTH_BYTES + len;
  }
  return out;
}

/** Byte length of the first `count` leaves of a bundle (to cut a bundle back to a prefix). */
export function bundlePrefixBytes(data: Uint8Array, count: number): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  for (let i = 0; i < count; i++) pos += LENGTH_BYTES + view.getUint32(pos);
  return pos;
}
