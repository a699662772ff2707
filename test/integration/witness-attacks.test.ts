import { create } from '@bufbuild/protobuf';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MerkleLog } from '../../src/audit/merkle-log.js';
import { signTreeHead, verifyTreeHead } from '../../src/audit/tree-head.js';
import { listFindings } from '../../src/audit/witness/findings-store.js';
import type { StoredFinding } from '../../src/audit/witness/finding.js';
import { Witness } from '../../src/audit/witness/witness.js';
import { silentLogger } from '../../src/log.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase } from '../support/postgres.js';
import { readNodeKey, type NodeKey } from '../../src/crypto/keys.js';
import { MemoryTree } from '../../src/crypto/merkle/index.js';
import { verifySignedBatch } from '../../src/federation/chain/accept-batch.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from '../../src/federation/node/parts/transparency-log.js';
import { WITNESS_PART, type WitnessPart } from '../../src/federation/node/parts/witness.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { buildSignedBatches, type ChainPosition } from '../../src/federation/provider/build-batch.js';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * Issue 5's witness acceptance, with real nodes: every attack below is carried
 * out on a real consortium node's database (as an operator holding the node's
 * key could) or by a real provider key, and the regulator's witness, reading
 * only over gRPC, must name it. Rounds are driven by the test (the nodes run
 * with a long interval) so each attack happens between two known rounds.
 */
describe('the regulator witness catches', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  let p1: NodeKey;
  let chain: ChainPosition = { seq: 0n, digest: GENESIS_DIGEST };
  /** c2's head after the equivocation: p1's seq 5 as c2 holds it. */
  let c2Chain: ChainPosition;
  const logPart = (id: string) => nodes[id]!.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART)!;
  const round = () => nodes.reg!.part<WitnessPart>(WITNESS_PART)!.round();
  const findings = (): Promise<StoredFinding[]> => listFindings(nodes.reg!.db.sql);
  const signedSize = async (id: string) => (await logPart(id).log.latestTreeHead())?.size ?? -1;

  const publishTo = async (targets: string[], batches: ReturnType<typeof buildSignedBatches>) => {
    for (const to of targets) {
      const c = new PeerClient({ id: 'p1', key: p1.privateKey }, { id: to, address: `127.0.0.1:${fed.ports[to]}` });
      try {
        for (const b of batches) await c.publish(create(SignedBatchSchema, { batch: b.batch, signature: b.signature }));
      } finally {
        c.close();
      }
    }
  };

  /** A node's own log, all rows, to put back later (the node "shows" the old tree again). */
  const snapshot = async (sql: Sql) => ({
    logs: await sql`SELECT * FROM merkle_logs WHERE log_id = ''`,
    bundles: await sql`SELECT * FROM merkle_bundles WHERE log_id = ''`,
    tiles: await sql`SELECT * FROM merkle_tiles WHERE log_id = ''`,
    heads: await sql`SELECT * FROM tree_heads WHERE log_id = ''`,
  });
  const restore = async (sql: Sql, s: Awaited<ReturnType<typeof snapshot>>) => {
    await sql.begin(async (tx) => {
      for (const t of ['merkle_logs', 'merkle_bundles', 'merkle_tiles', 'tree_heads']) await tx`DELETE FROM ${tx(t)} WHERE log_id = ''`;
      await tx`INSERT INTO merkle_logs ${tx(s.logs)}`;
      await tx`INSERT INTO merkle_bundles ${tx(s.bundles)}`;
      await tx`INSERT INTO merkle_tiles ${tx(s.tiles)}`;
      await tx`INSERT INTO tree_heads ${tx(s.heads)}`;
    });
  };

  /**
   * A competent rewrite of a node's log: new leaves, every tile rebuilt so
   * the log is internally consistent, and a head over it signed with the
   * node's own key. Its writer is paused meanwhile, as an attacker would.
   */
  const rewriteLog = async (id: string, mutate: (leaves: Uint8Array[]) => Uint8Array[]) => {
    const node = nodes[id]!;
    await logPart(id).publisher.stop();
    const log = new MerkleLog(node.db.sql, '');
    const forged = mutate(await log.leaves(0, await log.size()));
    const mem = new MemoryTree();
    for (const l of forged) mem.appendData(l);
    const head = signTreeHead(forged.length, mem.root(), Date.now(), node.key.privateKey, id);
    await node.db.sql.begin(async (tx) => {
      for (const t of ['merkle_bundles', 'merkle_tiles', 'tree_heads']) await tx`DELETE FROM ${tx(t)} WHERE log_id = ''`;
      await tx`UPDATE merkle_logs SET size = 0 WHERE log_id = ''`;
      await log.appendIn(tx, forged);
      await tx`INSERT INTO tree_heads (log_id, size, root, timestamp_ms, kid, signature) VALUES ('', ${head.size}, ${Buffer.from(head.root)}, ${head.timestamp}, ${id}, ${head.signature})`;
    });
    return head;
  };

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    p1 = await readNodeKey(`${fed.dirs.p1}/key.jwk`);
    // Long intervals: no replication between c1 and c2, no background witness or gossip rounds.
    for (const id of ['c1', 'c2', 'reg']) nodes[id] = await startInProcess(fed, id, { replication_interval_ms: 600_000 });
    const batches = buildSignedBatches('p1', p1.privateKey, chain, { records: makeRecords(8, 'base'), retractions: [] }, { batchRecords: 2 });
    chain = { seq: batches.at(-1)!.seq, digest: batches.at(-1)!.digest };
    await publishTo(['c1', 'c2'], batches);
    for (const id of ['c1', 'c2']) await eventually(async () => (await signedSize(id)) === 4, 10_000, `${id} signs a head over 4 batches`);
    await Promise.all(['c1', 'c2'].map((id) => logPart(id).monitor.observe()));
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('nothing on an honest federation, and keeps its own verified copy of each log', async () => {
    const r = await round();
    expect(r.logs).toEqual({ c1: 4, c2: 4 });
    expect(await findings()).toEqual([]);
    const copy = new MerkleLog(nodes.reg!.db.sql, 'c1');
    expect(Buffer.from(await copy.root(4)).equals(Buffer.from((await logPart('c1').log.latestTreeHead())!.root))).toBe(true);
  });

  it('a provider that signs two different batches at one sequence number and sends them to different consortium nodes', async () => {
    const [a] = buildSignedBatches('p1', p1.privateKey, chain, { records: makeRecords(2, 'to-c1'), retractions: [] });
    const [b] = buildSignedBatches('p1', p1.privateKey, chain, { records: makeRecords(2, 'to-c2'), retractions: [] });
    await publishTo(['c1'], [a!]);
    await publishTo(['c2'], [b!]);
    c2Chain = { seq: b!.seq, digest: b!.digest };
    for (const id of ['c1', 'c2']) await eventually(async () => (await signedSize(id)) === 5, 10_000, `${id} logs seq 5`);
    await round();
    const [f] = (await findings()).filter((x) => x.kind === 'equivocation');
    expect(f).toMatchObject({ kind: 'equivocation', subject: 'p1#5', providerId: 'p1' });
    // The evidence stands on its own: two batches, both verifying as p1's seq 5, different digests.
    const shown = (f!.evidence as { batches: { seen_at: string; digest: string; signature: string; batch_b64: string }[] }).batches;
    expect(shown.map((x) => x.seen_at).sort()).toEqual(['c1', 'c2']);
    const verified = shown.map((x) => verifySignedBatch({ batch: Buffer.from(x.batch_b64, 'base64'), signature: x.signature }, nodes.reg!.membership, { checkSkew: false }));
    expect(verified.map((v) => v.batch.seq)).toEqual([5n, 5n]);
    expect(Buffer.from(verified[0]!.digest).equals(Buffer.from(verified[1]!.digest))).toBe(false);
  });

  it('a consortium node that shows two different heads of one size to two clients (split view, caught through gossip)', async () => {
    const before = await round();
    const size = before.logs.c1!;
    const honest = await snapshot(nodes.c1!.db.sql);
    // c1 shows c2 another tree of the same size: leaf 1 rewritten, tiles rebuilt, head signed with c1's key.
    const forged = await rewriteLog('c1', (leaves) => leaves.map((l, i) => (i === 1 ? new TextEncoder().encode('a different batch 2') : l)));
    expect(forged.size).toBe(size);
    await logPart('c2').monitor.observe();
    // ...and shows everyone else (the witness) the honest tree again.
    await restore(nodes.c1!.db.sql, honest);
    await logPart('c1').publisher.start();
    const r = await round();
    expect(r.logs.c1).toBe(size);
    const [f] = (await findings()).filter((x) => x.kind === 'split_view');
    expect(f).toMatchObject({ kind: 'split_view', logId: 'c1' });
    const ev = f!.evidence as { seen_by: string; seen: { size: number; root: string; timestamp_ms: number; kid: string; signature: string }; witness_accepted: { size: number; root: string } };
    expect(ev.seen_by).toBe('c2');
    expect(ev.seen.size).toBe(size);
    expect(ev.witness_accepted.size).toBe(size);
    expect(ev.seen.root).not.toBe(ev.witness_accepted.root);
    // Both are heads c1 signed: the finding is c1's own signature against itself.
    verifyTreeHead({ size: ev.seen.size, root: Buffer.from(ev.seen.root, 'base64'), timestamp: ev.seen.timestamp_ms, kid: 'c1', signature: ev.seen.signature }, nodes.reg!.membership.activeKey('c1')!);
    // Rollback and fork are not what happened: the witness's direct view of c1 stayed consistent.
    expect((await findings()).filter((x) => x.logId === 'c1' && x.kind !== 'split_view')).toEqual([]);
  });

  it('a consortium node that rewrites an old leaf and keeps going (fork)', async () => {
    const accepted = (await round()).logs.c2!;
    await rewriteLog('c2', (leaves) => leaves.map((l, i) => (i === 2 ? new TextEncoder().encode('rewritten history') : l)));
    await logPart('c2').publisher.start();
    // The node keeps logging: a new entry, a new head over the rewritten tree.
    await logPart('c2').log.append([{ kind: 'investigation_query', ref: 'q1', entry: new Uint8Array([1]) }]);
    await eventually(async () => (await signedSize('c2')) === accepted + 1, 10_000, 'c2 signs a head past the rewrite');
    const r = await round();
    expect(r.logs.c2).toBe(accepted); // the witness does not move past a head it cannot prove
    const [f] = (await findings()).filter((x) => x.kind === 'fork' && x.logId === 'c2');
    expect(f).toMatchObject({ subject: `c2:${accepted}` });
    expect(f!.detail).toMatch(new RegExp(`head of size ${accepted + 1} does not extend its head of size ${accepted}`));
    expect((f!.evidence as { proof?: string[] }).proof).toBeDefined();
  });

  it('a consortium node that truncates its log (rollback), then regrows it past the old size (fork)', async () => {
    const accepted = (await round()).logs.c1!;
    await logPart('c1').publisher.stop();
    await nodes.c1!.db.sql.begin(async (tx) => {
      await new MerkleLog(nodes.c1!.db.sql, '').truncateIn(tx, accepted - 2);
      await tx`DELETE FROM tree_heads WHERE log_id = '' AND size > ${accepted - 2}`;
    });
    await logPart('c1').publisher.start();
    await eventually(async () => (await signedSize('c1')) === accepted - 2, 10_000, 'c1 signs its truncated log');
    await round();
    const [rollback] = (await findings()).filter((x) => x.kind === 'rollback');
    expect(rollback).toMatchObject({ logId: 'c1', subject: `c1:${accepted}` });
    expect(rollback!.detail).toMatch(new RegExp(`size ${accepted - 2}, smaller than the size ${accepted}`));

    await logPart('c1').log.append([1, 2, 3, 4].map((i) => ({ kind: 'investigation_query', ref: `regrow-${i}`, entry: new Uint8Array([i]) })));
    await eventually(async () => (await signedSize('c1')) === accepted + 2, 10_000, 'c1 grows past the old size');
    await round();
    expect((await findings()).filter((x) => x.kind === 'fork' && x.logId === 'c1').map((x) => x.subject)).toEqual([`c1:${accepted}`]);
  });

  it('lists every finding with `cordon audit findings`, and its own copies verify with `cordon audit verify`', async () => {
    const listed = await cli(['audit', 'findings', '--node', fed.dirs.reg!]);
    expect(listed.code, listed.err).toBe(0);
    for (const kind of ['equivocation', 'split_view', 'fork', 'rollback']) expect(listed.out).toContain(kind);
    const json = await cli(['audit', 'findings', '--node', fed.dirs.reg!, '--json', '--kind', 'fork']);
    expect((JSON.parse(json.out) as { kind: string }[]).map((f) => f.kind)).toEqual(['fork', 'fork']);
    // The witness accepted only heads it could prove: its copies replay clean.
    const verify = await cli(['audit', 'verify', '--node', fed.dirs.reg!]);
    expect(verify.code, verify.out + verify.err).toBe(0);
    expect(verify.out).toMatch(/c1: \d+ leaves, \d+ heads: ok/);
  });

  it('a consortium node that acknowledges a batch but keeps it out of its log past the merge delay', async () => {
    // A second witness, on its own database, with a merge delay short enough for a test.
    const sql = postgres(await createTestDatabase('witness2'), { max: 4, onnotice: () => undefined, types: { bigint: postgres.BigInt } });
    await migrate(sql);
    const witness = new Witness({
      self: { id: 'reg', key: nodes.reg!.key.privateKey }, sql, membership: nodes.reg!.membership, logger: silentLogger,
      peers: () => ['c1', 'c2'].map((id) => ({ id, address: `127.0.0.1:${fed.ports[id]}` })), maxMergeDelayMs: 500,
    });
    try {
      await logPart('c2').publisher.stop(); // c2 keeps accepting, but logs nothing
      const [next] = buildSignedBatches('p1', p1.privateKey, c2Chain, { records: makeRecords(2, 'late'), retractions: [] });
      await publishTo(['c2'], [next!]);
      await witness.round();
      await new Promise((r) => setTimeout(r, 700));
      await witness.round();
      const late = (await listFindings(sql)).filter((f) => f.kind === 'unlogged_batch');
      // c1 too: its truncation (above) dropped p1#5's leaf, though c1 still reports p1#5 as accepted.
      expect(late.map((f) => f.subject)).toEqual(['c1:p1#5', 'c2:p1#6']);
      expect(late[1]!.detail).toMatch(/c2 reported p1#6 as accepted \d+ s before its signed head of size \d+ was fetched, and that head does not hold it/);
    } finally {
      witness.close();
      await logPart('c2').publisher.start();
      await sql.end({ timeout: 5 });
    }
  });
});
