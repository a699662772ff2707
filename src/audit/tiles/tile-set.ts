import { HASH_SIZE, MerkleError, bitLength, type SubtreeRange } from '../../crypto/merkle/index.js';
import { foldPerfect } from './fold.js';
import { nodeSpan, tileId, type TileKey } from './geometry.js';

/** A perfect subtree [start, end) as a tree node: (level, index). */
export function nodeOf(r: SubtreeRange): { level: number; index: number } {
  const level = bitLength(r.end - r.start) - 1;
  return { level, index: r.start / 2 ** level };
}

/** The tiles that hold the base hashes of `nodes`, without repeats. */
export function tilesFor(nodes: readonly { level: number; index: number }[]): TileKey[] {
  const keys = new Map<string, TileKey>();
  for (const n of nodes) {
    const s = nodeSpan(n.level, n.index);
    keys.set(tileId(s), { level: s.level, index: s.index });
  }
  return [...keys.values()];
}

/**
 * Tiles fetched for one request, answering node hashes from them. Pure: the
 * caller fetches the rows `tilesFor` names and hands them in.
 */
export class TileSet {
  readonly #tiles = new Map<string, Uint8Array>();

  constructor(rows: Iterable<TileKey & { hashes: Uint8Array }>) {
    for (const r of rows) this.#tiles.set(tileId(r), r.hashes);
  }

  /** Hash of the perfect subtree at tree node (level, index); SOURCE_ERROR when its tile does not hold it. */
  node(level: number, index: number): Uint8Array {
    const s = nodeSpan(level, index);
    const tile = this.#tiles.get(tileId(s));
    if (!tile || tile.length < (s.offset + s.count) * HASH_SIZE) {
      throw new MerkleError('SOURCE_ERROR', `tile ${tileId(s)} does not hold node (${level}, ${index}) (${tile ? tile.length / HASH_SIZE : 0} hashes stored)`);
    }
    return foldPerfect(tile, s.offset, s.count);
  }

  range(r: SubtreeRange): Uint8Array {
    const n = nodeOf(r);
    return this.node(n.level, n.index);
  }
}
