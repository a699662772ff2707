import type { KeyObject } from 'node:crypto';
import { CompactRange, HASH_SIZE, hashEquals, hashLeaf } from '../crypto/merkle/index.js';
import * as store from './log-store.js';
import { MerkleLog } from './merkle-log.js';
import { decodeBundle } from './tiles/bundle.js';
import { foldPerfect, hashAt } from './tiles/fold.js';
import { BUNDLE_SIZE, TILE_WIDTH, bundleWidth, bundlesFor, hashesAtTileLevel, tileWidth } from './tiles/geometry.js';
import { verifyTreeHead } from './tree-head.js';

export type FsckMismatchKind =
  | 'missing_leaf' // a leaf below the log's size is not stored (or its bundle does not parse)
  | 'extra_leaf' // a bundle holds more leaves than the log's size allows
  | 'leaf_hash' // stored leaf hash (level-0 tile) ≠ hashLeaf(leaf data)
  | 'missing_node' // a tile is missing or shorter than the size requires
  | 'node_hash' // a stored hash at tree level 8·L ≠ the fold of the 256 hashes below it
  | 'extra_node' // a tile or bundle stored past what the size allows
  | 'head_size' // a stored signed head is past the log's leaves
  | 'head_root' // a stored signed head's root ≠ the root recomputed from the leaves at its size
  | 'head_signature'; // a stored signed head does not verify (checked only with a public key)

/** `level` is a tree level (0 for leaves, 8·L for tile level L); `index` a leaf or node index. */
export interface FsckMismatch { kind: FsckMismatchKind; level: number; index: number; detail: string }

export interface FsckReport {
  ok: boolean;
  /** The log's size (its sequencer row). */
  size: number;
  /** Root recomputed from the stored leaf data alone. */
  root: Uint8Array;
  leavesChecked: number;
  nodesChecked: number;
  headsChecked: number;
  /** Size of the largest stored head, if any. */
  headSize?: number;
  /** At most `maxMismatches`; `mismatchCount` counts all found. */
  mismatches: FsckMismatch[];
  mismatchCount: number;
}

export interface FsckOptions {
  /** Verify every stored head's signature with this key. */
  publicKey?: KeyObject;
  maxMismatches?: number;
  /** Called after each step of leaves with the leaves checked so far and the log's size (for a progress display). */
  onProgress?: (leavesChecked: number, size: number) => void;
}

/** Bundles (and level-0 tiles) read per step: 16,384 leaves. */
const BUNDLES_PER_STEP = 64;
/** Stored heads read per page. */
const HEADS_PAGE = 10_000;

/**
 * Recomputes a log from its stored leaf data and compares everything stored
 * about it: every leaf hash, every tile hash (each against the fold of the
 * level below), every stored signed head's root at its size (the roots come
 * from the leaves alone, through a compact range, not from the tiles), and
 * nothing stored past the size. Reports mismatches; throws only on database
 * errors. Streams: memory stays O(step), whatever the log's size.
 */
export async function fsckLog(log: MerkleLog, opts: FsckOptions = {}): Promise<FsckReport> {
  const max = opts.maxMismatches ?? 1000;
  const mismatches: FsckMismatch[] = [];
  let mismatchCount = 0;
  const report = (m: FsckMismatch): void => {
    mismatchCount++;
    if (mismatches.length < max) mismatches.push(m);
  };
  const { sql, logId } = log;
  const size = await log.size();
  const latest = await store.latestTreeHead(sql, logId);

  // Heads, page by page, checked as the recomputed range reaches each size.
  let heads: store.TreeHeadRow[] = [];
  let headsFrom = 0;
  let headsChecked = 0;
  const nextHeads = async (): Promise<void> => {
    heads = await store.treeHeads(sql, logId, headsFrom, Number.MAX_SAFE_INTEGER, HEADS_PAGE);
    if (heads.length > 0) headsFrom = heads.at(-1)!.size + 1;
  };
  const checkHead = (h: store.TreeHeadRow, root: Uint8Array | undefined): void => {
    headsChecked++;
    if (h.size > size) report({ kind: 'head_size', level: 0, index: h.size, detail: `signed head of size ${h.size} is past the ${size} leaves stored` });
    else if (root && !hashEquals(root, h.root)) report({ kind: 'head_root', level: 0, index: h.size, detail: `signed head's root at size ${h.size} ≠ the root recomputed from the leaves` });
    if (opts.publicKey) {
      try {
        verifyTreeHead({ size: h.size, root: h.root, timestamp: h.timestampMs, kid: h.kid, signature: h.signature }, opts.publicKey);
      } catch {
        report({ kind: 'head_signature', level: 0, index: h.size, detail: `signed head of size ${h.size} does not verify` });
      }
    }
  };
  await nextHeads();
  const range = CompactRange.empty();
  const passHeads = async (): Promise<void> => {
    while (heads.length > 0 && heads[0]!.size <= range.size) {
      const h = heads.shift()!;
      checkHead(h, h.size === range.size ? range.root() : undefined);
      if (heads.length === 0) await nextHeads();
    }
  };
  await passHeads();

  // Leaves: bundles against level-0 tiles, and the roots at every head's size.
  let leavesChecked = 0;
  let nodesChecked = 0;
  let intact = true; // once a leaf is missing, later roots mean nothing
  for (let b = 0; b < bundlesFor(size) && intact; b += BUNDLES_PER_STEP) {
    const end = Math.min(b + BUNDLES_PER_STEP, bundlesFor(size));
    const [bundles, tiles] = await Promise.all([store.fetchBundles(sql, logId, b, end), store.tilesInRange(sql, logId, 0, b, end)]);
    const bundleAt = new Map(bundles.map((r) => [r.index, r]));
    const tileAt = new Map(tiles.map((t) => [t.index, t.hashes]));
    for (let k = b; k < end && intact; k++) {
      const want = bundleWidth(size, k);
      const row = bundleAt.get(k);
      let leaves: Uint8Array[];
      try {
        leaves = row ? decodeBundle(row.data, `bundle ${k}`) : [];
      } catch (err) {
        report({ kind: 'missing_leaf', level: 0, index: k * BUNDLE_SIZE, detail: (err as Error).message });
        intact = false;
        break;
      }
      if (leaves.length > want) report({ kind: 'extra_leaf', level: 0, index: k * BUNDLE_SIZE + want, detail: `bundle ${k} holds ${leaves.length} leaves, the size allows ${want}` });
      const tile = tileAt.get(k);
      if (!tile || tile.length < want * HASH_SIZE) report({ kind: 'missing_node', level: 0, index: k * TILE_WIDTH, detail: `tile 0/${k} holds ${tile ? tile.length / HASH_SIZE : 0} leaf hashes, needs ${want}` });
      for (let i = 0; i < want; i++) {
        const leaf = leaves[i];
        if (!leaf) {
          report({ kind: 'missing_leaf', level: 0, index: k * BUNDLE_SIZE + i, detail: `no leaf ${k * BUNDLE_SIZE + i} in bundle ${k}` });
          intact = false;
          break;
        }
        const h = hashLeaf(leaf);
        if (tile && tile.length >= (i + 1) * HASH_SIZE && !hashEquals(hashAt(tile, i), h)) {
          report({ kind: 'leaf_hash', level: 0, index: k * BUNDLE_SIZE + i, detail: `stored leaf hash ≠ hashLeaf(leaf ${k * BUNDLE_SIZE + i})` });
        }
        range.append(h);
        leavesChecked++;
        await passHeads();
      }
    }
    opts.onProgress?.(leavesChecked, size);
  }
  // Heads past the recomputed range (past the size, or after a missing leaf).
  while (heads.length > 0) {
    for (const h of heads) checkHead(h, undefined);
    await nextHeads();
  }

  // Tiles above the leaves: each full tile of level L − 1 folds to one hash of level L.
  for (let level = 1; hashesAtTileLevel(size, level) > 0; level++) {
    const above = hashesAtTileLevel(size, level);
    for (let t = 0; t * TILE_WIDTH < above; t++) {
      const [children, [parent]] = await Promise.all([
        store.tilesInRange(sql, logId, level - 1, t * TILE_WIDTH, (t + 1) * TILE_WIDTH),
        store.tilesInRange(sql, logId, level, t, t + 1),
      ]);
      const width = tileWidth(size, { level, index: t });
      if (!parent || parent.hashes.length < width * HASH_SIZE) {
        report({ kind: 'missing_node', level: 8 * level, index: t * TILE_WIDTH, detail: `tile ${level}/${t} holds ${parent ? parent.hashes.length / HASH_SIZE : 0} hashes, needs ${width}` });
      }
      const childAt = new Map(children.map((c) => [c.index, c.hashes]));
      for (let i = 0; i < width; i++) {
        const k = t * TILE_WIDTH + i;
        const child = childAt.get(k);
        nodesChecked++;
        if (!child || child.length < TILE_WIDTH * HASH_SIZE) {
          report({ kind: 'missing_node', level: 8 * (level - 1), index: k * TILE_WIDTH, detail: `tile ${level - 1}/${k} is not full below a complete node` });
          continue;
        }
        if (parent && parent.hashes.length >= (i + 1) * HASH_SIZE && !hashEquals(hashAt(parent.hashes, i), foldPerfect(child, 0, TILE_WIDTH))) {
          report({ kind: 'node_hash', level: 8 * level, index: k, detail: `stored node (${8 * level}, ${k}) ≠ the fold of tile ${level - 1}/${k}` });
        }
      }
    }
  }

  for (const s of await store.strayRows(sql, logId, bundlesFor(size), MerkleLog.tilesPerLevel(size), max)) {
    report({ kind: 'extra_node', level: 8 * s.level, index: s.index, detail: `${s.what} ${s.what === 'tile' ? `${s.level}/` : ''}${s.index} is stored but a log of ${size} leaves has none` });
  }

  return {
    ok: mismatchCount === 0,
    size,
    root: intact && range.size === size ? range.root() : new Uint8Array(HASH_SIZE),
    leavesChecked,
    nodesChecked,
    headsChecked,
    ...(latest ? { headSize: latest.size } : {}),
    mismatches,
    mismatchCount,
  };
}
