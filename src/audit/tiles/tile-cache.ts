import { HASH_SIZE } from '../../crypto/merkle/index.js';
import { TILE_WIDTH, tileId, type TileKey } from './geometry.js';

/**
 * Full tiles, kept in memory. A full tile (256 hashes) never changes again,
 * so caching one can never serve a stale hash; partial tiles are never
 * cached. The upper tiles of a log are on every proof's path, so a small
 * cache takes most of the reads off the database.
 */
export class TileCache {
  readonly #tiles = new Map<string, Uint8Array>();

  constructor(readonly capacity: number) {}

  get(key: TileKey): Uint8Array | undefined {
    const id = tileId(key);
    const hit = this.#tiles.get(id);
    if (hit) {
      // Map keeps insertion order: re-inserting marks it most recently used.
      this.#tiles.delete(id);
      this.#tiles.set(id, hit);
    }
    return hit;
  }

  clear(): void {
    this.#tiles.clear();
  }

  /** Keeps `hashes` if it is a full tile; evicts the least recently used beyond capacity. */
  offer(key: TileKey, hashes: Uint8Array): void {
    if (hashes.length !== TILE_WIDTH * HASH_SIZE || this.capacity === 0) return;
    this.#tiles.set(tileId(key), hashes);
    if (this.#tiles.size > this.capacity) this.#tiles.delete(this.#tiles.keys().next().value!);
  }
}
