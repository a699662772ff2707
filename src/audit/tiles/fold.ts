import { HASH_SIZE, hashChildren } from '../../crypto/merkle/index.js';

/**
 * The root of the perfect subtree over `count` (a power of two) consecutive
 * 32-byte hashes packed in `packed`, starting at hash number `offset`:
 * count − 1 hash operations, level by level (RFC 9162 §2.1.1 on a perfect
 * range). Returns a fresh array.
 */
export function foldPerfect(packed: Uint8Array, offset: number, count: number): Uint8Array {
  let level: Uint8Array[] = [];
  for (let i = 0; i < count; i++) level.push(packed.subarray((offset + i) * HASH_SIZE, (offset + i + 1) * HASH_SIZE));
  if (count === 1) return Uint8Array.from(level[0]!);
  while (level.length > 1) {
    const up: Uint8Array[] = new Array<Uint8Array>(level.length / 2);
    for (let i = 0; i < up.length; i++) up[i] = hashChildren(level[2 * i]!, level[2 * i + 1]!);
    level = up;
  }
  return level[0]!;
}

/** `hashes` packed back to back (tile row format). */
export function packHashes(hashes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => out.set(h, i * HASH_SIZE));
  return out;
}

/** Hash number `i` of a packed tile (a view, not a copy). */
export function hashAt(packed: Uint8Array, i: number): Uint8Array {
  return packed.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
}
