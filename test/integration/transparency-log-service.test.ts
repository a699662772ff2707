import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchOfLeaf, decodeLogLeaf } from '../../src/audit/log-leaf.js';
import { LogClient } from '../../src/audit/service/log-client.js';
import { verifyTreeHead } from '../../src/audit/tree-head.js';
import { readNodeKey, type NodeKey } from '../../src/crypto/keys.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/crypto/merkle/index.js';
import { mintCallToken } from '../../src/federation/auth/call-token.js';
import { batchDigest } from '../../src/federation/chain/digest.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { ChainWriter } from '../../src/federation/chain/chain-writer.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { grpcPath } from '../../src/federation/grpc/service-definition.js';
import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from '../../src/federation/node/parts/transparency-log.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { buildSignedBatches, type ChainPosition } from '../../src/federation/provider/build-batch.js';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { GetConsistencyProofRequestSchema, GetEntriesRequestSchema, GetInclusionProofRequestSchema, TransparencyLogService } from '../../src/gen/cordon/v1/log_pb.js';
import { toBinary } from '@bufbuild/protobuf';
import { createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { rawUnary } from '../support/raw-call.js';
import { makeRecords } from '../support/records.js';

/**
 * Issue 5 item 1 on real nodes: every accepted batch enters the consortium
 * node's log and a signed head within seconds; the log is served over gRPC
 * and refuses invalid requests; a node that died between acceptance and
 * logging catches up at start.
 */
describe('transparency log on consortium nodes', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  let p1Key: NodeKey;
  let head: ChainPosition = { seq: 0n, digest: GENESIS_DIGEST };
  const addr = (id: string) => `127.0.0.1:${fed.ports[id]}`;
  const logClient = (from: string, to: string) => new LogClient({ id: from, key: nodes[from]?.key.privateKey ?? p1Key.privateKey }, { id: to, address: addr(to) });
  const part = (id: string) => nodes[id]!.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART)!;

  /** p1 signs `n` batches on top of its chain and publishes them to `to`. */
  const publish = async (to: string, n: number, records = 3) => {
    const batches = buildSignedBatches('p1', p1Key.privateKey, head, { records: makeRecords(n * records, `r${head.seq}`), retractions: [] }, { batchRecords: records });
    const c = new PeerClient({ id: 'p1', key: p1Key.privateKey }, { id: to, address: addr(to) });
    try {
      for (const b of batches) await c.publish(create(SignedBatchSchema, { batch: b.batch, signature: b.signature }));
    } finally {
      c.close();
    }
    head = { seq: batches.at(-1)!.seq, digest: batches.at(-1)!.digest };
    return batches;
  };

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    p1Key = await readNodeKey(`${fed.dirs.p1}/key.jwk`);
    for (const id of ['c1', 'c2', 'reg']) nodes[id] = await startInProcess(fed, id);
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('logs every accepted batch, with a leaf naming its digest and signature, in a signed head within 10 s', async () => {
    const started = Date.now();
    const batches = await publish('c1', 6);
    const c = logClient('reg', 'c1');
    try {
      const { head: signed, logId } = await eventually(async () => {
        const h = await c.treeHead();
        return h.head.size >= 6 ? h : undefined;
      }, 10_000, 'a signed head covering 6 batches');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(logId).toBe('c1');
      verifyTreeHead(signed, nodes.reg!.membership.activeKey('c1')!);
      const rows = await nodes.c1!.db.sql<{ seq: bigint; log_idx: bigint }[]>`SELECT seq, log_idx FROM batches WHERE provider_id = 'p1' ORDER BY seq`;
      expect(rows.map((r) => Number(r.log_idx))).toEqual([0, 1, 2, 3, 4, 5]);
      for (const [i, b] of batches.entries()) {
        const leaf = await c.leaf(i);
        verifyInclusion(hashLeaf(leaf), i, signed.size, await c.inclusionProof(i, signed.size), signed.root);
        const batch = batchOfLeaf(decodeLogLeaf(leaf, 'leaf'), 'leaf')!;
        expect(batch).toMatchObject({ providerId: 'p1', seq: b.seq, signature: b.signature, recordCount: 3, retractionCount: 0 });
        expect(Buffer.from(batch.digest).equals(Buffer.from(batchDigest(b.batch)))).toBe(true);
      }
      // Replication brings the same batches to c2, whose log holds byte-identical leaves.
      await eventually(async () => (await part('c2').log.size()) >= 6, 10_000, 'c2 logs the replicated batches');
      expect((await part('c2').log.merkle.leaves(0, 6)).map((l) => Buffer.from(l).toString('hex'))).toEqual(
        (await part('c1').log.merkle.leaves(0, 6)).map((l) => Buffer.from(l).toString('hex')),
      );
    } finally {
      c.close();
    }
  });

  it('signs a new head at least every second while entries arrive: no accepted batch waits longer for one', async () => {
    const before = await part('c1').log.size();
    const t0 = Date.now();
    while (Date.now() - t0 < 3_000) {
      await publish('c1', 1);
      await new Promise((r) => setTimeout(r, 150));
    }
    // Every accepted batch is logged (the integrator runs after acceptance), and a head covers them all.
    const last = await eventually(async () => {
      const [row] = await nodes.c1!.db.sql<{ pending: number; next: bigint | null }[]>`
        SELECT count(*) FILTER (WHERE log_idx IS NULL)::int AS pending, max(log_idx) + 1 AS next FROM batches`;
      return row!.pending === 0 && row!.next !== null ? Number(row!.next) : undefined;
    }, 10_000, 'every batch logged');
    await eventually(async () => ((await part('c1').log.latestTreeHead())!.size >= last ? true : undefined), 10_000, 'head covering the burst');
    const heads = await nodes.c1!.db.sql<{ size: bigint; timestamp_ms: bigint }[]>`
      SELECT size, timestamp_ms FROM tree_heads WHERE log_id = '' AND size > ${before} ORDER BY size`;
    const batches = await nodes.c1!.db.sql<{ log_idx: bigint; received_at: Date }[]>`
      SELECT log_idx, received_at FROM batches WHERE log_idx >= ${before} ORDER BY log_idx`;
    expect(batches.length).toBeGreaterThanOrEqual(5);
    expect(heads.length).toBeGreaterThanOrEqual(3);
    // For each batch: from its acceptance to the first signed head that covers it.
    const waits = batches.map((b) => Number(heads.find((h) => h.size > b.log_idx)!.timestamp_ms) - b.received_at.getTime());
    // The contract: every accepted entry is in a signed head within 10 s; with a head signed every
    // second while entries arrive, the typical wait is about a second (loose: CI machines are busy).
    expect(Math.max(...waits), `waits ${waits.join(', ')} ms`).toBeLessThanOrEqual(10_000);
    const median = [...waits].sort((a, b) => a - b)[Math.floor(waits.length / 2)]!;
    expect(median, `waits ${waits.join(', ')} ms`).toBeLessThanOrEqual(2_000);
  });

  it('serves entries and consistency proofs that verify between successive signed heads', async () => {
    const c = logClient('p1', 'c1');
    try {
      const heads = await nodes.c1!.db.sql<{ size: bigint; root: Uint8Array }[]>`SELECT size, root FROM tree_heads WHERE log_id = '' AND size > 0 ORDER BY size`;
      for (let i = 1; i < heads.length; i++) {
        const [a, b] = [heads[i - 1]!, heads[i]!];
        verifyConsistency(Number(a.size), Number(b.size), await c.consistencyProof(Number(a.size), Number(b.size)), a.root, b.root);
      }
      const size = Number(heads.at(-1)!.size);
      const leaves: Uint8Array[] = [];
      for await (const chunk of c.entries(0, size)) leaves.push(...chunk.leaves);
      expect(leaves).toHaveLength(size);
      expect(leaves.map((l) => batchOfLeaf(decodeLogLeaf(l, 'leaf'), 'leaf')!.seq)).toEqual(Array.from({ length: size }, (_, i) => BigInt(i + 1)));
    } finally {
      c.close();
    }
  });

  it('answers invalid requests (size 0, negative, past the end, reversed) with INVALID_ARGUMENT and changes nothing', async () => {
    const size = await part('c1').log.size();
    const call = async (method: string, bytes: Uint8Array) => {
      const r = await rawUnary(addr('c1'), grpcPath(TransparencyLogService, method), bytes, mintCallToken('reg', nodes.reg!.key.privateKey, 'c1'));
      return [r.code, r.details] as const;
    };
    const incl = (leafIndex: bigint, treeSize: bigint) => call('GetInclusionProof', toBinary(GetInclusionProofRequestSchema, create(GetInclusionProofRequestSchema, { leafIndex, treeSize })));
    const cons = (firstSize: bigint, secondSize: bigint) => call('GetConsistencyProof', toBinary(GetConsistencyProofRequestSchema, create(GetConsistencyProofRequestSchema, { firstSize, secondSize })));
    const n = BigInt(size);
    const cases: [Promise<readonly [number, string]>, RegExp][] = [
      [incl(0n, 0n), /empty tree/],
      [incl(-1n, n), /leaf_index must be a non-negative/],
      [incl(0n, -5n), /tree_size must be a non-negative/],
      [incl(n, n), /leaf index \d+ ≥ tree size/],
      [incl(0n, n + 1n), /tree size \d+ is beyond the log, which holds \d+ leaves/],
      [incl(0n, 2n ** 62n), /beyond the log, which holds \d+ leaves|safe integer/],
      [cons(0n, n), /empty tree/],
      [cons(-1n, n), /first_size must be a non-negative/],
      [cons(3n, 2n), /size1 3 > size2 2/],
      [cons(1n, n + 1n), /tree size \d+ is beyond the log, which holds \d+ leaves/],
    ];
    for (const [p, message] of cases) {
      const [code, details] = await p;
      expect(code, details).toBe(status.INVALID_ARGUMENT);
      expect(details).toMatch(message);
    }
    // GetEntries is a stream: the error arrives as its status.
    const c = logClient('reg', 'c1');
    try {
      for (const [start, end, message] of [[5, 5, /start 5 must be below end 5/], [size - 1, size + 1, /past the \d+ leaves/], [-1, 3, /start must be a non-negative/]] as const) {
        await expect((async () => { for await (const _ of c.entries(start, end)) void _; })()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message) });
      }
    } finally {
      c.close();
    }
    expect(toBinary(GetEntriesRequestSchema, create(GetEntriesRequestSchema, {})).length).toBe(0);
    expect(await part('c1').log.size()).toBe(size);
  });

  it('puts entries other modules append into a signed head within about a second (woken, not waiting for a sweep)', async () => {
    const [index] = await part('c1').log.append([{ kind: 'investigation_query', ref: 'case-1', entry: new TextEncoder().encode('query summary') }]);
    const c = logClient('reg', 'c1');
    try {
      const h = await eventually(async () => {
        const got = await c.treeHead();
        return got.head.size > index! ? got : undefined;
      }, 2_000, 'a head covering the appended entry');
      const leaf = await c.leaf(index!);
      verifyInclusion(hashLeaf(leaf), index!, h.head.size, await c.inclusionProof(index!, h.head.size), h.head.root);
      expect(decodeLogLeaf(leaf, 'leaf')).toMatchObject({ kind: 'investigation_query', ref: 'case-1' });
    } finally {
      c.close();
    }
  });

  it('gossips: each consortium node serves the heads it saw from its peers, signed by them', async () => {
    const observed = await eventually(async () => {
      const c = logClient('reg', 'c2');
      try {
        const heads = await c.observedTreeHeads();
        return heads.some((h) => h.logId === 'c1' && h.head.size > 0) ? heads : undefined;
      } finally {
        c.close();
      }
    }, 10_000, 'c2 to observe c1');
    for (const h of observed.filter((o) => o.logId === 'c1')) verifyTreeHead(h.head, nodes.reg!.membership.activeKey('c1')!);
  });

  it('after a crash between acceptance and logging, logs the accepted batches at start', async () => {
    await nodes.c1!.stop({ stopDatabase: false });
    delete nodes.c1;
    // What the node committed before it died: accepted batches, not yet logged.
    const { openDatabase } = await import('../../src/store/database.js');
    const { Membership } = await import('../../src/federation/membership/membership.js');
    const db = await openDatabase({ databaseUrl: fed.databases.c1!, dataDir: fed.dirs.c1! });
    const sizeBefore = Number((await db.sql<{ size: bigint }[]>`SELECT size FROM merkle_logs WHERE log_id = ''`)[0]!.size);
    const writer = new ChainWriter(db.sql, await Membership.load(`${fed.dirs.c1}/manifest.json`));
    const batches = buildSignedBatches('p1', p1Key.privateKey, head, { records: makeRecords(6, 'crash'), retractions: [] }, { batchRecords: 2 });
    for (const b of batches) await writer.accept({ batch: b.batch, signature: b.signature }, { receivedFrom: 'p1', checkSkew: true });
    head = { seq: batches.at(-1)!.seq, digest: batches.at(-1)!.digest };
    expect(Number((await db.sql`SELECT count(*)::int AS n FROM batches WHERE log_idx IS NULL`)[0]!.n)).toBe(3);
    await db.close();

    nodes.c1 = await startInProcess(fed, 'c1');
    // The catch-up runs before the node reports started: nothing pending, a head covers them.
    expect(Number((await nodes.c1.db.sql`SELECT count(*)::int AS n FROM batches WHERE log_idx IS NULL`)[0]!.n)).toBe(0);
    const latest = (await part('c1').log.latestTreeHead())!;
    expect(latest.size).toBe(sizeBefore + 3);
    const fsck = await part('c1').log.fsck({ publicKey: nodes.c1.key.publicKey });
    expect(fsck.ok, JSON.stringify(fsck.mismatches)).toBe(true);
  });
});
