import { generateKeyPairSync } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLogLeaf } from '../../src/audit/log-leaf.js';
import { MerkleLog } from '../../src/audit/merkle-log.js';
import { TransparencyLog, verifyTreeHead, type LogEntryInput } from '../../src/audit/transparency-log.js';
import { CordonError } from '../../src/errors.js';
import { MemoryTree, isMerkleError, verifyConsistency, verifyInclusion } from '../../src/crypto/merkle/index.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase } from '../support/postgres.js';

/** Deterministic entries: kind 'batch', body "<tag>:<i>". */
const entries = (tag: string, from: number, n: number): LogEntryInput[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'batch', ref: `${tag}/${from + i}`, entry: new TextEncoder().encode(`${tag}:${from + i}`) }));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const connect = (url: string): Sql => postgres(url, { max: 4, onnotice: () => undefined, types: { bigint: postgres.BigInt } });

describe('TransparencyLog (PostgreSQL, tiles)', () => {
  let sql: Sql;
  let log: TransparencyLog;
  const mem = new MemoryTree();

  beforeAll(async () => {
    sql = connect(await createTestDatabase('tlog'));
    await migrate(sql);
    log = new TransparencyLog(sql);
  });
  afterAll(async () => {
    await sql.end({ timeout: 5 });
  });

  it('starts empty with the RFC 9162 empty root', async () => {
    expect(await log.size()).toBe(0);
    expect(hex(await log.root())).toBe(hex(mem.root(0)));
  });

  it('appends in batches with consecutive indices and matches MemoryTree at every size reached', async () => {
    let next = 0;
    // Sizes that cross bundle and tile boundaries at 256 and 65,536 in every way.
    for (const n of [1, 7, 100, 1000, 3, 148, 255, 1, 65_000, 300, 4]) {
      const batch = entries('a', next, n);
      const idx = await log.append(batch);
      expect(idx).toEqual(Array.from({ length: n }, (_, i) => next + i));
      for (const e of batch) mem.appendData(encodeLogLeaf(e));
      next += n;
      expect(await log.size()).toBe(next);
      expect(hex(await log.root())).toBe(hex(mem.root()));
    }
    // Roots of earlier sizes, served from the tiles, match too.
    for (const s of [1, 2, 3, 5, 8, 9, 255, 256, 257, 511, 512, 1108, 65_535, 65_536, 65_537, next - 1]) {
      expect(hex(await log.root(s))).toBe(hex(mem.root(s)));
    }
    expect(await log.append([])).toEqual([]);
    // Leaves read back decode to what was appended.
    const e = await log.entry(1234);
    expect(e.kind).toBe('batch');
    expect(e.ref).toBe('a/1234');
    expect(new TextDecoder().decode(e.entry)).toBe('a:1234');
    expect(hex(e.leafHash)).toBe(hex(mem.leafHash(1234)));
    const leaves = await log.merkle.leaves(250, 530);
    expect(leaves).toHaveLength(280);
    expect(hex(leaves[0]!)).toBe(hex(encodeLogLeaf(entries('a', 250, 1)[0]!)));
  });

  it('serves inclusion proofs that verify and equal the in-memory ones', async () => {
    const size = await log.size();
    for (const s of [1, 2, 7, 8, 108, 256, 257, 1000, 65_536, 65_537, size]) {
      for (const i of new Set([0, 1, Math.floor(s / 3), s - 2, s - 1].filter((i) => i >= 0 && i < s))) {
        const proof = await log.inclusionProof(i, s);
        expect(proof.map(hex)).toEqual(mem.inclusionProof(i, s).map(hex));
        verifyInclusion(mem.leafHash(i), i, s, proof, mem.root(s));
      }
    }
    for (let i = 0; i < size; i += 997) verifyInclusion(mem.leafHash(i), i, size, await log.inclusionProof(i, size), mem.root(size));
  });

  it('serves consistency proofs that verify between many size pairs', async () => {
    const size = await log.size();
    const sizes = [1, 2, 3, 7, 8, 9, 255, 256, 511, 512, 1000, 65_535, 65_536, 66_000, size];
    for (const a of sizes) {
      for (const b of sizes) {
        if (a > b) continue;
        const proof = await log.consistencyProof(a, b);
        expect(proof.map(hex)).toEqual(mem.consistencyProof(a, b).map(hex));
        verifyConsistency(a, b, proof, mem.root(a), mem.root(b));
      }
    }
  });

  it('rejects invalid requests with typed errors and changes nothing', async () => {
    const size = await log.size();
    await expect(log.inclusionProof(size, size)).rejects.toSatisfy((e) => isMerkleError(e, 'INDEX_OUT_OF_RANGE'));
    await expect(log.inclusionProof(0, 0)).rejects.toSatisfy((e) => isMerkleError(e, 'EMPTY_TREE'));
    // Said in the caller's terms: the size asked and the size held, not which stored log answered.
    await expect(log.inclusionProof(0, size + 1)).rejects.toThrow(`tree size ${size + 1} is beyond the log, which holds ${size} leaves: ask for a size no larger than a signed tree head's`);
    await expect(log.inclusionProof(-1, size)).rejects.toSatisfy((e) => isMerkleError(e, 'INVALID_INDEX'));
    await expect(log.consistencyProof(0, size)).rejects.toSatisfy((e) => isMerkleError(e, 'EMPTY_TREE'));
    await expect(log.consistencyProof(5, 4)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_ORDER'));
    await expect(log.consistencyProof(1, size + 1)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
    await expect(log.root(size + 1)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
    await expect(log.root(-1)).rejects.toSatisfy((e) => isMerkleError(e, 'INVALID_SIZE'));
    await expect(log.merkle.leaves(size - 1, size + 1)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
    for (const bad of [{ kind: '', ref: 'x', entry: new Uint8Array(1) }, { kind: 'Batch!', ref: 'x', entry: new Uint8Array(1) }, { kind: 'batch', ref: 'x', entry: 'text' }]) {
      await expect(log.append([bad as LogEntryInput])).rejects.toSatisfy((e) => e instanceof CordonError && e.code === 'INVALID_INPUT');
    }
    await expect(log.append([{ kind: 'batch', ref: 'big', entry: new Uint8Array((1 << 20) + 1) }])).rejects.toThrow(/leaf limit/);
    expect(await log.size()).toBe(size);
  });

  it('signs tree heads that verify; tampered heads do not', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const head = await log.signTreeHead(privateKey, 'k1');
    const size = await log.size();
    expect(head.size).toBe(size);
    expect(hex(head.root)).toBe(hex(mem.root(size)));
    verifyTreeHead(head, publicKey);
    const latest = await log.latestTreeHead();
    expect(latest).toEqual(head);
    const bad = (h: typeof head): void => {
      expect(() => verifyTreeHead(h, publicKey)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    };
    bad({ ...head, size: head.size - 1 });
    bad({ ...head, timestamp: head.timestamp + 1 });
    const root = Uint8Array.from(head.root);
    root[0]! ^= 1;
    bad({ ...head, root });
    const sig = Buffer.from(head.signature, 'base64url');
    sig[10]! ^= 0x40;
    bad({ ...head, signature: sig.toString('base64url') });
    bad({ ...head, signature: '' });
    expect(() => verifyTreeHead(head, other)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    // Signing again at the same size returns the stored head.
    expect(await log.signTreeHead(privateKey, 'k1')).toEqual(head);
  });

  it('fsck is clean, then reports a rewritten leaf, a rewritten node, a missing tile and a stray tile', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const progress: [number, number][] = [];
    const clean = await log.fsck({ onProgress: (done, size) => void progress.push([done, size]) });
    expect(clean.ok, JSON.stringify(clean.mismatches)).toBe(true);
    expect(clean.leavesChecked).toBe(await log.size());
    // Progress (cordon audit fsck's display) reaches every leaf of the size.
    expect(progress.at(-1)).toEqual([clean.leavesChecked, clean.size]);
    expect(clean.headsChecked).toBe(1);
    expect(hex(clean.root)).toBe(hex(mem.root()));
    // A different key: the head signature is reported, nothing else.
    expect((await log.fsck({ publicKey })).mismatches.map((m) => m.kind)).toEqual(['head_signature']);

    // Rewrite leaf 3's body in its bundle (same length, so the bundle still parses).
    const [b0] = await sql<{ data: Buffer }[]>`SELECT data FROM merkle_bundles WHERE log_id = '' AND idx = 0`;
    const data = Buffer.from(b0!.data);
    const at = data.indexOf(Buffer.from('a:3'));
    data.write('a:X', at);
    await sql`UPDATE merkle_bundles SET data = ${data} WHERE log_id = '' AND idx = 0`;
    // Rewrite one level-1 hash and delete a level-0 tile.
    await sql`UPDATE merkle_tiles SET hashes = overlay(hashes placing ${Buffer.alloc(32, 9)} from 33 for 32) WHERE log_id = '' AND level = 1 AND idx = 0`;
    await sql`DELETE FROM merkle_tiles WHERE log_id = '' AND level = 0 AND idx = 100`;
    await sql`INSERT INTO merkle_tiles (log_id, level, idx, hashes) VALUES ('', 3, 0, ${Buffer.alloc(32)})`;
    const r = await log.fsck();
    expect(r.ok).toBe(false);
    const seen = r.mismatches.map((m) => `${m.kind}:${m.level}:${m.index}`);
    expect(seen).toContain('leaf_hash:0:3');
    expect(seen).toContain('head_root:0:' + (await log.size()));
    expect(seen).toContain('missing_node:0:25600');
    expect(seen).toContain('node_hash:8:1');
    expect(seen).toContain('extra_node:24:0');
    // An append refuses to write past stray rows (its new rows are COPYed only into keys proven free).
    const size = await log.size();
    await expect(log.append(entries('after', 0, 3))).rejects.toThrow(/rows are stored past its size \d+; refusing to append/);
    expect(await log.size()).toBe(size);
  });
});

describe('TransparencyLog sequencing', () => {
  it('two concurrent appenders get gap-free, distinct indices 0..N-1 and the same root as a replay; a rolled-back appendIn leaves no gap', async () => {
    const url = await createTestDatabase('tlog_conc');
    const a = connect(url);
    const b = connect(url);
    try {
      await migrate(a);
      const la = new TransparencyLog(a);
      const lb = new TransparencyLog(b);
      const run = async (log: TransparencyLog, tag: string): Promise<number[]> => {
        const got: number[] = [];
        for (let k = 0; k < 20; k++) got.push(...(await log.append(entries(tag, k * 13, 13))));
        return got;
      };
      const [ia, ib] = await Promise.all([run(la, 'x'), run(lb, 'y')]);
      const all = [...ia, ...ib].sort((p, q) => p - q);
      expect(all).toEqual(Array.from({ length: 520 }, (_, i) => i));
      for (const got of [ia, ib]) for (let k = 0; k < got.length; k += 13) expect(got[k + 12]! - got[k]!).toBe(12);
      // Replaying the stored leaves into memory gives the same root; fsck is clean.
      const mem = new MemoryTree();
      for (const leaf of await la.merkle.leaves(0, 520)) mem.appendData(leaf);
      expect(hex(await la.root())).toBe(hex(mem.root()));
      expect((await lb.fsck()).ok).toBe(true);
      // An append inside a caller's transaction that then fails is rolled back with it: no gap.
      await expect(a.begin(async (tx) => {
        expect(await la.appendIn(tx, entries('bad', 0, 3))).toEqual([520, 521, 522]);
        throw new Error('caller fails after appending');
      })).rejects.toThrow(/caller fails/);
      expect(await la.size()).toBe(520);
      expect(await la.append(entries('z', 0, 1))).toEqual([520]);
      expect((await la.fsck()).ok).toBe(true);
    } finally {
      await a.end({ timeout: 5 });
      await b.end({ timeout: 5 });
    }
  });
});

describe('MerkleLog copies and truncation', () => {
  it('keeps logs apart by log id, and truncation of a copy restores an exact prefix that appends correctly again', async () => {
    const sql = connect(await createTestDatabase('tlog_copy'));
    try {
      await migrate(sql);
      const own = new TransparencyLog(sql);
      const copy = new MerkleLog(sql, 'c1');
      const leaves = Array.from({ length: 70_000 }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
      const mem = new MemoryTree();
      for (const l of leaves) mem.appendData(l);
      await copy.append(leaves.slice(0, 66_000));
      await own.append(entries('o', 0, 10));
      expect(await own.size()).toBe(10);
      expect(hex(await copy.root())).toBe(hex(mem.root(66_000)));
      for (const cut of [65_600, 65_536, 300, 256, 1]) {
        await sql.begin((tx) => copy.truncateIn(tx, cut));
        expect(await copy.size()).toBe(cut);
        expect(hex(await copy.root())).toBe(hex(mem.root(cut)));
        const r = await fsckCopy(copy);
        expect(r.ok, JSON.stringify(r.mismatches)).toBe(true);
      }
      // Empty proofs still check the size they are asked for.
      await expect(new MerkleLog(sql, 'empty').inclusionProof(0, 1)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
      await expect(copy.consistencyProof(2, 2)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
      expect(await copy.consistencyProof(1, 1)).toEqual([]);
      await copy.append(leaves.slice(1, 70_000));
      expect(hex(await copy.root())).toBe(hex(mem.root()));
      expect((await fsckCopy(copy)).ok).toBe(true);
      expect(await own.size()).toBe(10);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});

async function fsckCopy(log: MerkleLog) {
  const { fsckLog } = await import('../../src/audit/fsck.js');
  return fsckLog(log);
}
