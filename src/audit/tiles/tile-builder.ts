import { HASH_SIZE, MerkleError } from '../../crypto/merkle/index.js';
import { foldPerfect, packHashes } from './fold.js';
import { TILE_WIDTH, hashesAtTileLevel, partialTiles, tileId, type TileKey } from './geometry.js';

export interface TileRow extends TileKey { readonly hashes: Uint8Array }
/** A tile an append wrote: `extended` when it was stored (partial) before, so the store updates rather than inserts it. */
export interface ChangedTile extends TileRow { readonly extended: boolean }

interface OpenTile { index: number; hashes: Uint8Array[]; changed: boolean; stored: boolean }

/**
 * Appends leaf hashes to a tree held as tiles (geometry.ts). Pure: it starts
 * from the tree's partial tiles (its frontier) and reports every tile the
 * append created or extended, with its full new content, for the store to
 * write. Each leaf costs about one hash operation on top of its leaf hash:
 * a tile that fills up is folded once into one hash of the level above.
 */
export class TileBuilder {
  readonly #start: number;
  #size: number;
  /** Base hashes per tile level so far (absent: as at the start). */
  readonly #counts: number[] = [];
  readonly #open = new Map<number, OpenTile>();
  readonly #full: ChangedTile[] = [];

  /**
   * `partial`: the stored partial tiles of the tree of `size` leaves, exactly
   * those `partialTiles(size)` names. Anything else is corrupted storage
   * (SOURCE_ERROR), never guessed around.
   */
  constructor(size: number, partial: readonly TileRow[]) {
    this.#start = size;
    this.#size = size;
    const byId = new Map(partial.map((t) => [tileId(t), t]));
    for (const want of partialTiles(size)) {
      const got = byId.get(tileId(want));
      if (!got || got.hashes.length !== want.width * HASH_SIZE) {
        throw new MerkleError('SOURCE_ERROR', `tile ${tileId(want)} should hold ${want.width} hashes at size ${size}, found ${got ? got.hashes.length / HASH_SIZE : 'none'}`);
      }
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < want.width; i++) hashes.push(got.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
      this.#open.set(want.level, { index: want.index, hashes, changed: false, stored: true });
    }
  }

  get size(): number {
    return this.#size;
  }

  append(leafHash: Uint8Array): void {
    this.#push(0, leafHash);
    this.#size++;
  }

  /** Every tile created or extended since construction, full content, lowest level first. */
  changedTiles(): ChangedTile[] {
    return [...this.takeFull(), ...this.takeOpen()].sort((a, b) => a.level - b.level || a.index - b.index);
  }

  /** Tiles that filled up since the last call (each final: a full tile never changes again). */
  takeFull(): ChangedTile[] {
    return this.#full.splice(0);
  }

  /** The open (partial) tiles this append added to, full content. */
  takeOpen(): ChangedTile[] {
    return [...this.#open.entries()].filter(([, t]) => t.changed).map(([level, t]) => ({ level, index: t.index, hashes: packHashes(t.hashes), extended: t.stored }));
  }

  #push(level: number, hash: Uint8Array): void {
    const count = this.#counts[level] ?? hashesAtTileLevel(this.#start, level);
    let open = this.#open.get(level);
    if (!open) {
      open = { index: Math.floor(count / TILE_WIDTH), hashes: [], changed: true, stored: false };
      this.#open.set(level, open);
    }
    open.hashes.push(hash);
    open.changed = true;
    this.#counts[level] = count + 1;
    if (open.hashes.length < TILE_WIDTH) return;
    const packed = packHashes(open.hashes);
    this.#full.push({ level, index: open.index, hashes: packed, extended: open.stored });
    this.#open.delete(level);
    this.#push(level + 1, foldPerfect(packed, 0, TILE_WIDTH));
  }
}
