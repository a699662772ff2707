/**
 * Where a log's hashes live: the tile layout of C2SP tlog-tiles, stored as
 * rows instead of files. Pure index arithmetic, no I/O.
 *
 * - A tile at tile level L and index k holds the hashes of the tree nodes at
 *   tree level 8·L with node indices [256·k, 256·k + width): up to 256 hashes
 *   of complete perfect subtrees of 2^(8L) leaves each. Level 0 tiles hold
 *   leaf hashes.
 * - Only these base hashes are stored. A node at tree level 8·L + j (0 ≤ j < 8)
 *   is the perfect subtree over 2^j consecutive base hashes of one tile, so it
 *   is recomputed from that tile with 2^j − 1 hash operations.
 * - A tile is full at 256 hashes and never changes again; the rightmost tile
 *   of each level may be partial and grows as leaves arrive. The partial tiles
 *   of a tree hold exactly its frontier (see `partialTiles`).
 *
 * Why tiles: one row per 256 hashes instead of one per node keeps appends
 * and storage cheap (a 10M-leaf log has ~40k tile rows, not 20M node rows),
 * while a proof still reads only O(log n / 8) rows.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** A tile's coordinates. */
export interface TileKey { readonly level: number; readonly index: number }

/** Where the base hashes of one tree node lie: `count` hashes from `offset` in tile (level, index). */
export interface NodeSpan extends TileKey { readonly offset: number; readonly count: number }

/** Number of complete nodes at tree level `treeLevel` in a tree of `size` leaves. */
export function nodesAtLevel(size: number, treeLevel: number): number {
  return Math.floor(size / 2 ** treeLevel);
}

/** Base hashes of tile level L in a tree of `size` leaves (complete 2^(8L)-leaf subtrees). */
export function hashesAtTileLevel(size: number, tileLevel: number): number {
  return nodesAtLevel(size, TILE_HEIGHT * tileLevel);
}

/** How many hashes tile (level, index) holds at `size` (0 when it does not exist yet). */
export function tileWidth(size: number, key: TileKey): number {
  const held = hashesAtTileLevel(size, key.level) - key.index * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, held));
}

/** The tile and the run of its base hashes that make up tree node (treeLevel, index). */
export function nodeSpan(treeLevel: number, index: number): NodeSpan {
  const level = Math.floor(treeLevel / TILE_HEIGHT);
  const count = 2 ** (treeLevel - level * TILE_HEIGHT);
  const first = index * count; // index of the first base hash at tree level 8·level
  return { level, index: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, count };
}

/**
 * The partial (non-empty, not full) tiles of a tree of `size` leaves, lowest
 * level first: at most one per tile level. The frontier nodes at tree levels
 * 8L..8L+7 (bits 8L..8L+7 of `size`) all lie inside the partial tile of level
 * L, so these tiles are all an append needs to read.
 */
export function partialTiles(size: number): (TileKey & { width: number })[] {
  const out: (TileKey & { width: number })[] = [];
  for (let level = 0; hashesAtTileLevel(size, level) > 0; level++) {
    const n = hashesAtTileLevel(size, level);
    if (n % TILE_WIDTH !== 0) out.push({ level, index: Math.floor(n / TILE_WIDTH), width: n % TILE_WIDTH });
  }
  return out;
}

/** Number of tiles (full or partial) at tile level L for a tree of `size` leaves. */
export function tilesAtLevel(size: number, tileLevel: number): number {
  return Math.ceil(hashesAtTileLevel(size, tileLevel) / TILE_WIDTH);
}

/** Entry bundles: bundle k holds the data of leaves [256·k, 256·k + count). */
export const BUNDLE_SIZE = TILE_WIDTH;

export function bundlesFor(size: number): number {
  return Math.ceil(size / BUNDLE_SIZE);
}

/** Leaves bundle k holds at `size`. */
export function bundleWidth(size: number, index: number): number {
  return Math.max(0, Math.min(BUNDLE_SIZE, size - index * BUNDLE_SIZE));
}

export const tileId = (k: TileKey): string => `${k.level}/${k.index}`;
