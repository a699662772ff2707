import { describe, expect, it } from 'vitest';
import { bundlePrefixBytes, decodeBundle, encodeBundle } from '../../../src/audit/tiles/bundle.js';
import { BundleBuilder } from '../../../src/audit/tiles/bundle-builder.js';
import { foldPerfect, hashAt } from '../../../src/audit/tiles/fold.js';
import { TILE_WIDTH, nodeSpan, partialTiles, tileWidth } from '../../../src/audit/tiles/geometry.js';
import { TileBuilder, type TileRow } from '../../../src/audit/tiles/tile-builder.js';
import { TileSet, tilesFor } from '../../../src/audit/tiles/tile-set.js';
import { MemoryTree, hashLeaf, perfectSubtrees, rootFromSubtrees } from '../../../src/crypto/merkle/index.js';
import { seededRandom } from '../../support/seeded-random.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Tiles as a store would hold them: every changed tile overwrites its key. */
function applyChanges(store: Map<string, TileRow>, changed: readonly TileRow[]): void {
  for (const t of changed) store.set(`${t.level}/${t.index}`, t);
}

describe('tile geometry', () => {
  it('places every node in the tile whose base hashes it covers', () => {
    expect(nodeSpan(0, 300)).toEqual({ level: 0, index: 1, offset: 44, count: 1 });
    expect(nodeSpan(3, 40)).toEqual({ level: 0, index: 1, offset: 64, count: 8 });
    expect(nodeSpan(8, 5)).toEqual({ level: 1, index: 0, offset: 5, count: 1 });
    expect(nodeSpan(15, 1)).toEqual({ level: 1, index: 0, offset: 128, count: 128 });
    expect(nodeSpan(16, 0)).toEqual({ level: 2, index: 0, offset: 0, count: 1 });
  });

  it('names exactly the partial tiles of a size (its frontier)', () => {
    expect(partialTiles(0)).toEqual([]);
    expect(partialTiles(256)).toEqual([{ level: 1, index: 0, width: 1 }]);
    expect(partialTiles(1000)).toEqual([{ level: 0, index: 3, width: 232 }, { level: 1, index: 0, width: 3 }]);
    expect(partialTiles(65_536)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tileWidth(1000, { level: 0, index: 2 })).toBe(256);
    expect(tileWidth(1000, { level: 0, index: 4 })).toBe(0);
  });
});

describe('TileBuilder against MemoryTree', () => {
  it('builds, append after append from stored partial tiles, tiles whose hashes are the tree nodes at levels 0, 8 and 16', () => {
    const rand = seededRandom(42);
    const mem = new MemoryTree();
    const store = new Map<string, TileRow>();
    let size = 0;
    for (const n of [1, 255, 1, 300, 1000, 65_000, 7, 256, 3]) {
      const partial = partialTiles(size).map((p) => store.get(`${p.level}/${p.index}`)!);
      const builder = new TileBuilder(size, partial);
      for (let i = 0; i < n; i++) {
        const h = hashLeaf(Uint8Array.of(Math.floor(rand() * 256), i & 255, i >> 8, size & 255));
        builder.append(h);
        mem.append(h);
      }
      size += n;
      expect(builder.size).toBe(size);
      applyChanges(store, builder.changedTiles());
      // Every tile holds what the tree says, and the root from tiles is the tree's.
      for (const t of store.values()) {
        expect(t.hashes.length / 32).toBe(tileWidth(size, t));
        for (const i of [0, t.hashes.length / 32 - 1]) {
          const node = t.index * TILE_WIDTH + i;
          const w = 2 ** (8 * t.level);
          expect(hex(hashAt(t.hashes, i))).toBe(hex(mem.subtreeHash({ start: node * w, end: (node + 1) * w })));
        }
      }
      const ranges = perfectSubtrees(0, size);
      const set = new TileSet(tilesFor(ranges.map((r) => ({ level: Math.log2(r.end - r.start), index: r.start / (r.end - r.start) }))).map((k) => store.get(`${k.level}/${k.index}`)!));
      expect(hex(rootFromSubtrees(size, ranges.map((r) => set.range(r))))).toBe(hex(mem.root()));
    }
  });

  it('refuses partial tiles that do not match the size (corrupted storage)', () => {
    expect(() => new TileBuilder(1000, [])).toThrow(/tile 0\/3 should hold 232 hashes at size 1000, found none/);
    const short = { level: 0, index: 3, hashes: new Uint8Array(32 * 231) };
    expect(() => new TileBuilder(1000, [short, { level: 1, index: 0, hashes: new Uint8Array(96) }])).toThrow(/found 231/);
  });

  it('folds a perfect run of hashes as RFC 9162 does', () => {
    const mem = new MemoryTree();
    const hashes = Array.from({ length: 16 }, (_, i) => hashLeaf(Uint8Array.of(i)));
    for (const h of hashes) mem.append(h);
    const packed = Buffer.concat(hashes);
    expect(hex(foldPerfect(packed, 0, 16))).toBe(hex(mem.root()));
    expect(hex(foldPerfect(packed, 8, 4))).toBe(hex(mem.subtreeHash({ start: 8, end: 12 })));
    expect(hex(foldPerfect(packed, 5, 1))).toBe(hex(hashes[5]!));
  });
});

describe('entry bundles', () => {
  it('round-trip, extend by concatenation, cut to a prefix, and refuse garbage', () => {
    const leaves = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(70_000).fill(9)];
    const bundle = encodeBundle(leaves);
    expect(decodeBundle(bundle, 'b').map(hex)).toEqual(leaves.map(hex));
    const extended = Buffer.concat([bundle, encodeBundle([Uint8Array.of(4)])]);
    expect(decodeBundle(extended, 'b')).toHaveLength(4);
    expect(decodeBundle(extended.subarray(0, bundlePrefixBytes(extended, 2)), 'b').map(hex)).toEqual(leaves.slice(0, 2).map(hex));
    expect(() => decodeBundle(bundle.subarray(0, bundle.length - 1), 'bundle 7')).toThrow(/bundle 7: leaf at byte 11 runs past the bundle/);
    expect(() => decodeBundle(Uint8Array.of(0, 0), 'bundle 8')).toThrow(/bundle 8: truncated length at byte 0/);
  });
});

describe('BundleBuilder', () => {
  it('extends the stored partial bundle, hands out full bundles as they fill, then the open one', () => {
    const leaf = (i: number) => Uint8Array.of(i & 255, i >> 8);
    const stored = encodeBundle(Array.from({ length: 250 }, (_, i) => leaf(i)));
    const b = new BundleBuilder(250, { index: 0, data: stored });
    for (let i = 250; i < 600; i++) b.append(leaf(i));
    const full = b.takeFull();
    expect(full.map((x) => [x.index, x.extended, decodeBundle(x.data, 'b').length])).toEqual([[0, true, 256], [1, false, 256]]);
    expect(Buffer.from(full[0]!.data.subarray(0, stored.length)).equals(Buffer.from(stored))).toBe(true);
    for (let i = 600; i < 1000; i++) b.append(leaf(i));
    expect(b.takeFull().map((x) => [x.index, x.extended])).toEqual([[2, false]]);
    const open = b.takeOpen()!;
    expect([open.index, open.extended, decodeBundle(open.data, 'b').length]).toEqual([3, false, 1000 - 768]);
    expect(() => new BundleBuilder(250, { index: 0, data: encodeBundle([leaf(1)]) })).toThrow(/bundle 0 should hold 250 leaves at size 250, holds 1/);
    expect(() => new BundleBuilder(300, undefined)).toThrow(/bundle 1 should hold 44 leaves/);
  });
});
