import type { Sql } from 'postgres';
import { CordonError } from '../errors.js';
import {
  HASH_SIZE,
  MerkleError,
  checkConsistencyRequest,
  checkInclusionRequest,
  checkSize,
  consistencyProof,
  hashLeaf,
  inclusionProof,
  isPerfect,
  perfectSubtrees,
  rootFromSubtrees,
  subtreeHashFromPerfect,
  type SubtreeHashSource,
  type SubtreeRange,
} from '../crypto/merkle/index.js';
import * as store from './log-store.js';
import { bundlePrefixBytes, decodeBundle } from './tiles/bundle.js';
import { BundleBuilder, type ChangedBundle } from './tiles/bundle-builder.js';
import { BUNDLE_SIZE, TILE_WIDTH, bundlesFor, hashesAtTileLevel, partialTiles, tilesAtLevel } from './tiles/geometry.js';
import { TileBuilder, type ChangedTile } from './tiles/tile-builder.js';
import { TileCache } from './tiles/tile-cache.js';
import { TileSet, nodeOf, tilesFor } from './tiles/tile-set.js';

/**
 * One RFC 9162 Merkle log in PostgreSQL, stored as hash tiles and entry
 * bundles (tiles/geometry.ts): the storage engine under a node's own
 * transparency log and under a witness's copy of another node's log.
 *
 * - Appends run under the log's sequencer (its merkle_logs row, locked FOR
 *   UPDATE): read the size and the partial tiles (the frontier), write the
 *   bundles and tiles the new leaves fill, move the size, all in one
 *   transaction. Indices are durable and gap-free.
 * - Roots and proofs for any size up to the log's read the few tiles that
 *   hold the O(log n) nodes needed, in one query, and fold within them.
 */
/**
 * Full tiles a log handle keeps in memory (8 KiB each, 32 MiB in all): every
 * tile above level 0 of a log of up to 268M leaves, then the hottest leaf tiles.
 */
export const TILE_CACHE_TILES = 4_096;

export class MerkleLog {
  readonly #cache = new TileCache(TILE_CACHE_TILES);

  constructor(
    readonly sql: Sql,
    readonly logId: string,
  ) {}

  /** Appends leaf data in its own transaction; returns the index of the first. */
  async append(leaves: readonly Uint8Array[]): Promise<number> {
    const hashes = leaves.map((l) => hashLeaf(l));
    return this.sql.begin((tx) => this.appendIn(tx, leaves, hashes));
  }

  /**
   * Appends inside the caller's transaction (which then holds the sequencer
   * until it ends); returns the index of the first leaf. `leafHashes`, when
   * given, must be hashLeaf of each leaf (computed ahead, outside the lock).
   * The stored partial bundle and tiles are extended in place; every new row
   * goes in one COPY per table (per-step COPYs measured slower: each waits
   * for the last to complete on the server).
   */
  async appendIn(tx: store.Tx, leaves: readonly Uint8Array[], leafHashes?: readonly Uint8Array[]): Promise<number> {
    const size = await store.lockLog(tx, this.logId);
    if (leaves.length === 0) return size;
    const first = Math.floor(size / BUNDLE_SIZE);
    const [partialTileRows, partialBundle] = await Promise.all([
      store.fetchTiles(tx, this.logId, partialTiles(size)),
      size % BUNDLE_SIZE === 0 ? [] : store.fetchBundles(tx, this.logId, first, first + 1),
      this.#checkNothingPast(tx, size),
    ]);
    const tiles = new TileBuilder(size, partialTileRows);
    const bundles = new BundleBuilder(size, partialBundle[0]);
    leaves.forEach((leaf, i) => {
      tiles.append(leafHashes?.[i] ?? hashLeaf(leaf));
      bundles.append(leaf);
    });
    const open = bundles.takeOpen();
    await this.#write(tx, [...bundles.takeFull(), ...(open ? [open] : [])], tiles.changedTiles());
    await store.setLogSize(tx, this.logId, size + leaves.length);
    return size;
  }

  /** Takes the sequencer inside `tx` and returns the size (for callers that read state under it). */
  lockIn(tx: store.Tx): Promise<number> {
    return store.lockLog(tx, this.logId);
  }

  size(): Promise<number> {
    return store.logSize(this.sql, this.logId);
  }

  /** Root of the first `size` leaves (default: the whole log). */
  async root(size?: number): Promise<Uint8Array> {
    const n = await this.#checkHeld(size);
    const ranges = perfectSubtrees(0, n);
    const { set } = await this.#readTiles(ranges);
    return rootFromSubtrees(n, ranges.map((r) => set.range(r)));
  }

  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    checkInclusionRequest(index, size);
    if (size === 1) await this.#checkHeld(size); // the proof is empty: no tile read would check the size
    return inclusionProof(this.#source(size), index, size);
  }

  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    checkConsistencyRequest(size1, size2);
    if (size1 === size2) await this.#checkHeld(size2); // likewise
    return consistencyProof(this.#source(size2), size1, size2);
  }

  /** Leaf data of [start, end), in order. */
  async leaves(start: number, end: number): Promise<Uint8Array[]> {
    checkSize(start, 'start');
    checkSize(end, 'end');
    if (start > end) throw new MerkleError('BAD_RANGE', `entries [${start}, ${end}) are reversed`);
    await this.#checkHeld(end);
    if (start === end) return [];
    const first = Math.floor(start / BUNDLE_SIZE);
    const rows = await store.fetchBundles(this.sql, this.logId, first, Math.ceil(end / BUNDLE_SIZE));
    const out: Uint8Array[] = [];
    let expected = first;
    for (const row of rows) {
      if (row.index !== expected) break;
      const leaves = decodeBundle(row.data, `log '${this.logId}' bundle ${row.index}`);
      const base = row.index * BUNDLE_SIZE;
      for (let i = Math.max(start - base, 0); i < leaves.length && base + i < end; i++) out.push(leaves[i]!);
      expected++;
    }
    if (out.length !== end - start) throw new CordonError('INTERNAL', `log '${this.logId}': entries [${start}, ${end}) are not all stored (found ${out.length}; run cordon audit fsck)`);
    return out;
  }

  /**
   * Cuts the log back to its first `size` leaves, in the caller's transaction.
   * Only for a witness's copy, to drop entries fetched beyond the last head it
   * accepted once they fail to match the next one; a node's own log is
   * append-only and never calls this.
   */
  async truncateIn(tx: store.Tx, size: number): Promise<void> {
    checkSize(size);
    const held = await store.lockLog(tx, this.logId);
    if (size >= held) return;
    this.#cache.clear(); // full tiles may become partial again
    const tileFrom: number[] = [];
    for (let level = 0; hashesAtTileLevel(held, level) > 0; level++) {
      const keep = hashesAtTileLevel(size, level);
      const k = Math.floor(keep / TILE_WIDTH);
      if (keep % TILE_WIDTH !== 0) {
        const [tile] = await store.fetchTiles(tx, this.logId, [{ level, index: k }]);
        await store.replaceTile(tx, this.logId, { level, index: k }, tile!.hashes.subarray(0, (keep % TILE_WIDTH) * HASH_SIZE));
        tileFrom.push(k + 1);
      } else tileFrom.push(k);
    }
    const b = Math.floor(size / BUNDLE_SIZE);
    if (size % BUNDLE_SIZE !== 0) {
      const [bundle] = await store.fetchBundles(tx, this.logId, b, b + 1);
      await store.replaceBundle(tx, this.logId, b, bundle!.data.subarray(0, bundlePrefixBytes(bundle!.data, size % BUNDLE_SIZE)));
    }
    await store.deleteFrom(tx, this.logId, size % BUNDLE_SIZE === 0 ? b : b + 1, tileFrom);
    await store.setLogSize(tx, this.logId, size);
  }

  /** Tiles a log of `size` leaves has per level (fsck). */
  static tilesPerLevel(size: number): number[] {
    const out: number[] = [];
    for (let level = 0; level === 0 || hashesAtTileLevel(size, level) > 0; level++) out.push(tilesAtLevel(size, level));
    return out;
  }

  /**
   * Refuses to append when rows are stored past the log's size: new rows are
   * COPYed (log-store.ts, copyNewRows), which must never meet a stored key.
   */
  async #checkNothingPast(tx: store.Tx, size: number): Promise<void> {
    if (await store.rowsPast(tx, this.logId, bundlesFor(size), MerkleLog.tilesPerLevel(size))) {
      throw new CordonError('INTERNAL', `log '${this.logId}': rows are stored past its size ${size}; refusing to append (run cordon audit fsck)`);
    }
  }

  /** Stored partial rows are extended in place; new ones are COPYed. */
  async #write(tx: store.Tx, bundles: readonly ChangedBundle[], tiles: readonly ChangedTile[]): Promise<void> {
    for (const b of bundles) if (b.extended) await store.extendBundle(tx, this.logId, b);
    for (const t of tiles) if (t.extended) await store.extendTile(tx, this.logId, t);
    await store.copyNewRows(tx, this.logId, bundles.filter((b) => !b.extended), tiles.filter((t) => !t.extended));
  }

  /** Throws SIZE_BEYOND_TREE if `size` is past the log; returns the size to use. */
  async #checkHeld(size: number | undefined): Promise<number> {
    if (size !== undefined) checkSize(size);
    const held = await this.size();
    if (size === undefined) return held;
    if (size > held) throw beyondLog(size, held);
    return size;
  }

  /**
   * The tiles holding the perfect `ranges` (full ones from the cache, the rest
   * in one query that also reads the log's size).
   */
  async #readTiles(ranges: readonly SubtreeRange[]): Promise<{ size: number; set: TileSet }> {
    const keys = tilesFor(ranges.map(nodeOf));
    const cached = keys.flatMap((k) => {
      const hashes = this.#cache.get(k);
      return hashes ? [{ ...k, hashes }] : [];
    });
    const read = await store.fetchTilesAndSize(this.sql, this.logId, keys.filter((k) => !cached.some((c) => c.level === k.level && c.index === k.index)));
    for (const t of read.tiles) this.#cache.offer(t, t.hashes);
    return { size: read.size, set: new TileSet([...cached, ...read.tiles]) };
  }

  /**
   * SubtreeHashSource over the tiles for a tree of `size` leaves: one query per
   * request, which also reads the log's size and refuses a `size` past it.
   */
  #source(size: number): SubtreeHashSource {
    return {
      subtreeHashes: async (ranges) => {
        const pieces = ranges.map((r) => {
          if (r.end > size) throw new MerkleError('SIZE_BEYOND_TREE', `range [${r.start}, ${r.end}) is past tree size ${size}`);
          return isPerfect(r) ? [r] : perfectSubtrees(r.start, r.end);
        });
        const { size: held, set } = await this.#readTiles(pieces.flat());
        if (size > held) throw beyondLog(size, held);
        return ranges.map((r, i) => {
          const ps = pieces[i]!;
          return ps.length === 1 && isPerfect(r) ? set.range(r) : subtreeHashFromPerfect(r, ps.map((p) => set.range(p)));
        });
      },
    };
  }
}

/**
 * Said to whoever asked for a size the log does not have yet: what they asked
 * and what the log holds (public: every signed head says it), in the caller's
 * terms, never which of the node's stored logs answered.
 */
function beyondLog(size: number, held: number): MerkleError {
  return new MerkleError('SIZE_BEYOND_TREE', `tree size ${size} is beyond the log, which holds ${held} leaves: ask for a size no larger than a signed tree head's`);
}
