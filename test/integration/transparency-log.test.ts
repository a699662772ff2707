import { generateKeyPairSync } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransparencyLog, verifyTreeHead, type LogEntryInput } from '../../src/audit/transparency-log.js';
import { CordonError } from '../../src/errors.js';
import { MemoryTree, isMerkleError, verifyConsistency, verifyInclusion } from '../../src/crypto/merkle/index.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase } from '../support/postgres.js';

/** Deterministic entry bytes: "<tag>:<i>". */
const entries = (tag: string, from: number, n: number): LogEntryInput[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'batch', ref: `${tag}/${from + i}`, entry: new TextEncoder().encode(`${tag}:${from + i}`) }));

const connect = (url: string): Sql => postgres(url, { max: 4, onnotice: () => undefined, types: { bigint: postgres.BigInt } });

describe('TransparencyLog (PostgreSQL)', () => {
  let sql: Sql;
  let log: TransparencyLog;
  const mem = new MemoryTree();
  const roots = new Map<number, Uint8Array>();

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
    expect(Buffer.from(await log.root()).equals(Buffer.from(mem.root(0)))).toBe(true);
  });

  it('appends in batches with consecutive indices and matches MemoryTree at every size reached', async () => {
    let next = 0;
    for (const n of [1, 7, 100, 1000, 3]) {
      const batch = entries('a', next, n);
      const idx = await log.append(batch);
      expect(idx).toEqual(Array.from({ length: n }, (_, i) => next + i));
      for (const e of batch) mem.appendData(e.entry);
      next += n;
      expect(await log.size()).toBe(next);
      roots.set(next, mem.root(next));
      expect(Buffer.from(await log.root()).toString('hex')).toBe(Buffer.from(mem.root()).toString('hex'));
    }
    // Roots of every earlier size, served from stored nodes, also match.
    for (const s of [1, 2, 3, 5, 8, 9, 63, 64, 65, 108, 500, 1024, 1107, 1111]) {
      expect(Buffer.from(await log.root(s)).toString('hex')).toBe(Buffer.from(mem.root(s)).toString('hex'));
    }
    expect(await log.append([])).toEqual([]);
  });

  it('serves inclusion proofs that verify and equal the in-memory ones', async () => {
    const size = await log.size();
    for (const s of [1, 2, 7, 8, 108, 1000, 1024, size]) {
      for (const i of new Set([0, 1, Math.floor(s / 3), s - 2, s - 1].filter((i) => i >= 0 && i < s))) {
        const proof = await log.inclusionProof(i, s);
        expect(proof.map((h) => Buffer.from(h).toString('hex'))).toEqual(mem.inclusionProof(i, s).map((h) => Buffer.from(h).toString('hex')));
        verifyInclusion(mem.leafHash(i), i, s, proof, mem.root(s));
      }
    }
    for (let i = 0; i < size; i += 37) verifyInclusion(mem.leafHash(i), i, size, await log.inclusionProof(i, size), mem.root(size));
  });

  it('serves consistency proofs that verify between many size pairs', async () => {
    const size = await log.size();
    const sizes = [1, 2, 3, 7, 8, 9, 108, 511, 512, 1000, 1108, size];
    for (const a of sizes) {
      for (const b of sizes) {
        if (a > b) continue;
        const proof = await log.consistencyProof(a, b);
        expect(proof.length).toBe(mem.consistencyProof(a, b).length);
        verifyConsistency(a, b, proof, mem.root(a), mem.root(b));
      }
    }
  });

  it('rejects invalid requests with typed errors', async () => {
    const size = await log.size();
    await expect(log.inclusionProof(size, size)).rejects.toSatisfy((e) => isMerkleError(e, 'INDEX_OUT_OF_RANGE'));
    await expect(log.inclusionProof(0, 0)).rejects.toSatisfy((e) => isMerkleError(e, 'EMPTY_TREE'));
    await expect(log.inclusionProof(0, size + 1)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
    await expect(log.inclusionProof(-1, size)).rejects.toSatisfy((e) => isMerkleError(e, 'INVALID_INDEX'));
    await expect(log.consistencyProof(0, size)).rejects.toSatisfy((e) => isMerkleError(e, 'EMPTY_TREE'));
    await expect(log.consistencyProof(5, 4)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_ORDER'));
    await expect(log.consistencyProof(1, size + 1)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
    await expect(log.root(size + 1)).rejects.toSatisfy((e) => isMerkleError(e, 'SIZE_BEYOND_TREE'));
    await expect(log.root(-1)).rejects.toSatisfy((e) => isMerkleError(e, 'INVALID_SIZE'));
    await expect(log.append([{ kind: '', ref: 'x', entry: new Uint8Array(1) }])).rejects.toSatisfy(
      (e) => e instanceof CordonError && e.code === 'INVALID_INPUT',
    );
    expect(await log.size()).toBe(size);
  });

  it('signs tree heads that verify; tampered heads do not', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const head = await log.signTreeHead(privateKey, 'k1');
    const size = await log.size();
    expect(head.size).toBe(size);
    expect(Buffer.from(head.root).equals(Buffer.from(mem.root(size)))).toBe(true);
    verifyTreeHead(head, publicKey);
    const latest = await log.latestTreeHead();
    expect(latest).toEqual(head);
    verifyTreeHead(latest!, publicKey);
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

  it('fsck is clean, then reports a rewritten leaf, a rewritten node and a deleted node', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const clean = await log.fsck();
    expect(clean.ok).toBe(true);
    expect(clean.mismatches).toEqual([]);
    expect(clean.leavesChecked).toBe(await log.size());
    expect(Buffer.from(clean.root).equals(Buffer.from(mem.root()))).toBe(true);
    // A different key: the head signature is reported, nothing else.
    const wrongKey = await log.fsck({ publicKey });
    expect(wrongKey.mismatches.map((m) => m.kind)).toEqual(['head_signature']);

    await sql`UPDATE log_entries SET leaf_hash = ${Buffer.alloc(32, 7)} WHERE idx = 42`;
    await sql`UPDATE log_nodes SET hash = ${Buffer.alloc(32, 9)} WHERE level = 3 AND idx = 5`;
    await sql`DELETE FROM log_nodes WHERE level = 2 AND idx = 100`;
    const r = await log.fsck();
    expect(r.ok).toBe(false);
    expect(r.mismatches.map((m) => [m.kind, m.level, m.index])).toEqual([
      ['leaf_hash', 0, 42],
      ['node_hash', 3, 5],
      ['missing_node', 2, 100],
    ]);
    // Restore the leaf hash, rewrite an entry instead: the recomputed root no longer matches the signed head.
    await sql`UPDATE log_entries SET leaf_hash = ${Buffer.from(mem.leafHash(42))} WHERE idx = 42`;
    await sql`UPDATE log_entries SET entry = ${Buffer.from('forged')} WHERE idx = 3`;
    const r2 = await log.fsck();
    const kinds = new Set(r2.mismatches.map((m) => m.kind));
    expect(kinds.has('leaf_hash')).toBe(true);
    expect(kinds.has('head_root')).toBe(true);
    expect(r2.mismatches.find((m) => m.kind === 'leaf_hash')!.index).toBe(3);
    // A stray node for an incomplete subtree is reported too.
    await sql`INSERT INTO log_nodes (level, idx, hash) VALUES (10, 5, ${Buffer.alloc(32)})`;
    expect((await log.fsck()).mismatches.some((m) => m.kind === 'extra_node' && m.level === 10 && m.index === 5)).toBe(true);
  });
});

describe('TransparencyLog sequencing', () => {
  it('two concurrent appenders get gap-free, distinct indices 0..N-1 and the same root as a replay', async () => {
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
      expect(await la.size()).toBe(520);
      // Each batch got a consecutive block of indices.
      for (const got of [ia, ib]) for (let k = 0; k < got.length; k += 13) expect(got[k + 12]! - got[k]!).toBe(12);
      // Replaying the stored entries into memory gives the same root; fsck is clean.
      const mem = new MemoryTree();
      const rows = await a<{ entry: Uint8Array }[]>`SELECT entry FROM log_entries ORDER BY idx`;
      for (const r of rows) mem.appendData(r.entry);
      expect(Buffer.from(await la.root()).equals(Buffer.from(mem.root()))).toBe(true);
      expect((await lb.fsck()).ok).toBe(true);
      // An append that fails inside its transaction (PostgreSQL rejects NUL in text) is rolled back: no gap.
      await expect(la.append([...entries('bad', 0, 3), { kind: 'batch\u0000', ref: 'r', entry: new Uint8Array(1) }])).rejects.toThrow();
      expect(await la.size()).toBe(520);
      expect(await la.append(entries('z', 0, 1))).toEqual([520]);
      expect((await la.fsck()).ok).toBe(true);
    } finally {
      await a.end({ timeout: 5 });
      await b.end({ timeout: 5 });
    }
  });
});

describe('TransparencyLog bulk append', () => {
  it('chunks one large append under the parameter limit (22,000 leaves → several INSERTs)', async () => {
    const sql = connect(await createTestDatabase('tlog_bulk'));
    try {
      await migrate(sql);
      const log = new TransparencyLog(sql);
      const mem = new MemoryTree();
      await log.append(entries('p', 0, 5));
      const big = entries('b', 0, 22_000);
      const idx = await log.append(big);
      expect(idx[0]).toBe(5);
      expect(idx.at(-1)).toBe(22_004);
      for (const e of [...entries('p', 0, 5), ...big]) mem.appendData(e.entry);
      expect(Buffer.from(await log.root()).equals(Buffer.from(mem.root()))).toBe(true);
      const [n] = await sql<{ n: bigint }[]>`SELECT count(*)::bigint AS n FROM log_nodes`;
      expect(Number(n!.n)).toBe(22_005 - 10); // n leaves complete n − popcount(n) internal nodes; popcount(22005) = 10
      verifyInclusion(mem.leafHash(17_777), 17_777, 22_005, await log.inclusionProof(17_777, 22_005), mem.root());
      verifyConsistency(6, 22_005, await log.consistencyProof(6, 22_005), mem.root(6), mem.root());
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
