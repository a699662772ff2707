import { create, fromBinary, toBinary, type DescService } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { generateKeyPairSync } from 'node:crypto';
import { flattenedVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchSchema, SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { FederationService, PublishRequestSchema } from '../../src/gen/cordon/v1/federation_pb.js';
import * as alertsPb from '../../src/gen/cordon/v1/alerts_pb.js';
import * as federationPb from '../../src/gen/cordon/v1/federation_pb.js';
import * as investigationsPb from '../../src/gen/cordon/v1/investigations_pb.js';
import * as logPb from '../../src/gen/cordon/v1/log_pb.js';
import * as oprfPb from '../../src/gen/cordon/v1/oprf_pb.js';
import * as psiPb from '../../src/gen/cordon/v1/psi_pb.js';
import * as regulatorPb from '../../src/gen/cordon/v1/regulator_pb.js';
import { mintCallToken } from '../../src/federation/auth/call-token.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { grpcPath } from '../../src/federation/grpc/service-definition.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { buildSignedBatches } from '../../src/federation/provider/build-batch.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { rawUnary } from '../support/raw-call.js';
import { reflectedServices } from '../support/reflection.js';

/** Every service descriptor the protos define. */
const allServices: DescService[] = [alertsPb, federationPb, investigationsPb, logPb, oprfPb, psiPb, regulatorPb]
  .flatMap((m) => Object.values(m))
  .filter((v): v is DescService => typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'service');
import { makeRecords } from '../support/records.js';

/**
 * Issue 2 acceptance: two consortium nodes, two providers and a regulator as
 * separate gRPC servers on loopback, each on its own PostgreSQL database.
 */
describe('signed federation core', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const addr = (id: string) => `127.0.0.1:${fed.ports[id]}`;
  const client = (from: string, to: string) => new PeerClient({ id: from, key: nodes[from]!.key.privateKey }, { id: to, address: addr(to) });
  const PUBLISH = grpcPath(FederationService, 'Publish');
  const batchCount = async (id: string) => Number((await nodes[id]!.db.sql`SELECT count(*)::int AS n FROM batches`)[0]!.n);
  const recordCount = async (id: string) => Number((await nodes[id]!.db.sql`SELECT count(*)::int AS n FROM records`)[0]!.n);
  const headOf = async (id: string, provider: string) => (await nodes[id]!.db.sql`SELECT seq FROM chain_heads WHERE provider_id = ${provider}`)[0]?.seq as bigint | undefined;

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' },
      { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'reg', role: 'regulator' },
    ]);
    for (const id of ['c1', 'c2', 'reg']) nodes[id] = await startInProcess(fed, id);
    // p1 publishes only to c1, p2 only to c2: everything else arrives by replication.
    nodes.p1 = await startInProcess(fed, 'p1', { publish_to: ['c1'], replication_interval_ms: 60_000 });
    nodes.p2 = await startInProcess(fed, 'p2', { publish_to: ['c2'], replication_interval_ms: 60_000 });
    await appendToChain(nodes.p1!.db.sql, 'p1', nodes.p1!.key.privateKey, { records: makeRecords(900, 'a'), retractions: [] }, { batchRecords: 300 });
    await appendToChain(nodes.p2!.db.sql, 'p2', nodes.p2!.key.privateKey, { records: makeRecords(400, 'b'), retractions: [] }, { batchRecords: 200 });
    await Promise.all([nodes.p1!.flush(), nodes.p2!.flush()]);
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('replicates every batch byte-identical, with valid provider signatures, to the other consortium node and the regulator', async () => {
    for (const id of ['c1', 'c2', 'reg']) {
      await eventually(async () => (await headOf(id, 'p1')) === 3n && (await headOf(id, 'p2')) === 2n, 15_000, `${id} heads`);
    }
    const rows = async (id: string) => nodes[id]!.db.sql<{ provider_id: string; seq: bigint; batch: Uint8Array; signature: string }[]>`
      SELECT provider_id, seq, batch, signature FROM batches ORDER BY provider_id, seq`;
    const c1 = await rows('c1');
    expect(c1).toHaveLength(5);
    for (const id of ['c2', 'reg']) {
      const other = await rows(id);
      expect(other.map((r) => Buffer.from(r.batch).toString('base64'))).toEqual(c1.map((r) => Buffer.from(r.batch).toString('base64')));
      expect(other.map((r) => r.signature)).toEqual(c1.map((r) => r.signature));
    }
    // The stored signature is a standard RFC 7797 detached JWS: jose verifies it over the stored bytes.
    for (const r of await rows('c2')) {
      const [protectedB64, , signature] = r.signature.split('.');
      const key = nodes.c2!.membership.activeKey(r.provider_id)!;
      await expect(flattenedVerify({ protected: protectedB64!, payload: r.batch, signature: signature! }, key)).resolves.toBeTruthy();
    }
    expect(await recordCount('c2')).toBe(1300);
    expect(await recordCount('reg')).toBe(1300);
  });

  it('refuses a batch with one flipped byte, storing nothing', async () => {
    const [b] = await nodes.p1!.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 1`;
    const tampered = Buffer.from(b!.batch);
    tampered[tampered.length - 5]! ^= 0x01;
    const before = [await batchCount('c1'), await recordCount('c1')];
    const c = client('p1', 'c1');
    await expect(c.publish(create(SignedBatchSchema, { batch: tampered, signature: b!.signature }))).rejects.toThrow(/does not verify/);
    const res = await rawUnary(addr('c1'), PUBLISH, toBinary(PublishRequestSchema, create(PublishRequestSchema, { batch: { batch: tampered, signature: b!.signature } })), mintCallToken('p1', nodes.p1!.key.privateKey, 'c1'));
    expect(res.code).toBe(status.INVALID_ARGUMENT);
    expect(res.details).toMatch(/does not verify/);
    expect([await batchCount('c1'), await recordCount('c1')]).toEqual(before);
    c.close();
  });

  it('refuses a batch signed by a non-member, and a call token from one', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const [forged] = buildSignedBatches('mallory', privateKey, { seq: 0n, digest: GENESIS_DIGEST }, { records: makeRecords(3, 'm'), retractions: [] });
    const req = toBinary(PublishRequestSchema, create(PublishRequestSchema, { batch: { batch: forged!.batch, signature: forged!.signature } }));
    const before = await batchCount('c1');
    // Relayed by a real provider: the batch signature is checked on its own.
    const relayed = await rawUnary(addr('c1'), PUBLISH, req, mintCallToken('p1', nodes.p1!.key.privateKey, 'c1'));
    expect(relayed.code).toBe(status.PERMISSION_DENIED);
    expect(relayed.details).toMatch(/mallory.*not a member/);
    const direct = await rawUnary(addr('c1'), PUBLISH, req, mintCallToken('mallory', privateKey, 'c1'));
    expect(direct.code).toBe(status.UNAUTHENTICATED);
    expect(await batchCount('c1')).toBe(before);
  });

  it('refuses replayed, expired, wrong-audience and missing call tokens', async () => {
    const get = grpcPath(FederationService, 'GetHeads');
    const token = mintCallToken('p1', nodes.p1!.key.privateKey, 'c1');
    expect((await rawUnary(addr('c1'), get, new Uint8Array(), token)).code).toBe(status.OK);
    const replay = await rawUnary(addr('c1'), get, new Uint8Array(), token);
    expect(replay.code).toBe(status.UNAUTHENTICATED);
    expect(replay.details).toMatch(/replayed/);
    const expired = await rawUnary(addr('c1'), get, new Uint8Array(), mintCallToken('p1', nodes.p1!.key.privateKey, 'c1', Date.now() - 120_000));
    expect(expired.code).toBe(status.UNAUTHENTICATED);
    const tooLong = await rawUnary(addr('c1'), get, new Uint8Array(), mintCallToken('p1', nodes.p1!.key.privateKey, 'c1', Date.now(), 3600));
    expect(tooLong.code).toBe(status.UNAUTHENTICATED);
    const otherAudience = await rawUnary(addr('c1'), get, new Uint8Array(), mintCallToken('p1', nodes.p1!.key.privateKey, 'c2'));
    expect(otherAudience.code).toBe(status.UNAUTHENTICATED);
    expect(otherAudience.details).toMatch(/aud/);
    expect((await rawUnary(addr('c1'), get, new Uint8Array())).code).toBe(status.UNAUTHENTICATED);
    expect((await rawUnary(addr('c1'), get, new Uint8Array(), 'garbage.jws.here')).code).toBe(status.UNAUTHENTICATED);
  });

  it('answers a batch out of sequence with FAILED_PRECONDITION and the head, storing nothing', async () => {
    const head = (await headOf('c1', 'p1'))!;
    const [ahead] = buildSignedBatches('p1', nodes.p1!.key.privateKey, { seq: head + 5n, digest: GENESIS_DIGEST }, { records: makeRecords(2, 'gap'), retractions: [] });
    const before = await batchCount('c1');
    const res = await rawUnary(addr('c1'), PUBLISH, toBinary(PublishRequestSchema, create(PublishRequestSchema, { batch: { batch: ahead!.batch, signature: ahead!.signature } })), mintCallToken('p1', nodes.p1!.key.privateKey, 'c1'));
    expect(res.code).toBe(status.FAILED_PRECONDITION);
    expect(res.metadata!.get('cordon-head-seq')[0]).toBe(head.toString());
    expect(await batchCount('c1')).toBe(before);
  });

  it('treats a resend as a no-op and keeps a different batch at a held seq only as evidence', async () => {
    const [held] = await nodes.p1!.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 2`;
    const c = client('p1', 'c1');
    const resend = await c.publish(create(SignedBatchSchema, { batch: held!.batch, signature: held!.signature }));
    expect(resend.outcome).toBe(2); // DUPLICATE
    const original = fromBinary(BatchSchema, held!.batch);
    const [evil] = buildSignedBatches('p1', nodes.p1!.key.privateKey, { seq: 1n, digest: original.prevDigest }, { records: makeRecords(4, 'evil'), retractions: [] });
    const before = [await batchCount('c1'), await recordCount('c1')];
    await expect(c.publish(create(SignedBatchSchema, { batch: evil!.batch, signature: evil!.signature }))).rejects.toMatchObject({ code: 'EQUIVOCATION' });
    expect([await batchCount('c1'), await recordCount('c1')]).toEqual(before);
    const stored = await nodes.c1!.db.sql`SELECT seq, kind FROM equivocations WHERE provider_id = 'p1'`;
    expect(stored).toEqual([{ seq: 2n, kind: 'same_seq' }]);
    const [kept] = await nodes.c1!.db.sql<{ batch: Uint8Array }[]>`SELECT batch FROM batches WHERE provider_id = 'p1' AND seq = 2`;
    expect(Buffer.compare(kept!.batch, held!.batch)).toBe(0);
    const listed = await client('reg', 'c1').listEquivocations('p1');
    expect(listed.equivocations).toHaveLength(1);
    c.close();
  });

  it('lets the regulator read everything and write nothing', async () => {
    const reg = client('reg', 'c1');
    expect((await reg.getHeads()).heads.map((h) => h.providerId)).toEqual(['p1', 'p2']);
    expect((await reg.getManifest()).version).toBe(1n);
    const fetched = [];
    for await (const b of reg.fetchBatches('p2', 1n)) fetched.push(b);
    expect(fetched).toHaveLength(2);
    const [b] = await nodes.p1!.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 1`;
    await expect(reg.publish(create(SignedBatchSchema, { batch: b!.batch, signature: b!.signature }))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(reg.updateManifest(JSON.stringify(nodes.c1!.membership.document))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    // Writes to the regulator's own node are refused whoever calls.
    const toReg = client('p1', 'reg');
    await expect(toReg.publish(create(SignedBatchSchema, { batch: b!.batch, signature: b!.signature }))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const c1ToReg = client('c1', 'reg');
    await expect(c1ToReg.updateManifest(JSON.stringify(nodes.c1!.membership.document))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((await client('c1', 'reg').getHeads()).heads).toHaveLength(2);
    for (const c of [reg, toReg, c1ToReg]) c.close();
  });

  it('serves standard gRPC health checking', async () => {
    const ok = await cli(['health', '--address', addr('c1')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/SERVING/);
    expect((await cli(['health', '--address', addr('reg'), '--service', 'cordon.v1.FederationService'])).code).toBe(0);
    const down = await cli(['health', '--address', '127.0.0.1:1']);
    expect(down.code).toBe(1);
  });

  it('keeps providers to their own chain', async () => {
    const c = client('p1', 'c1');
    expect((await c.getHeads()).heads.map((h) => h.providerId)).toEqual(['p1']);
    await expect((async () => { for await (const _ of c.fetchBatches('p2', 1n)) void _; })()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const [theirs] = await nodes.p2!.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 1`;
    await expect(c.publish(create(SignedBatchSchema, { batch: theirs!.batch, signature: theirs!.signature }))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    c.close();
  });

  it('answers malformed protobuf with INVALID_ARGUMENT and changes nothing', async () => {
    const before = await batchCount('c1');
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const res = await rawUnary(addr('c1'), PUBLISH, garbage, mintCallToken('p1', nodes.p1!.key.privateKey, 'c1'));
    expect(res.code).toBe(status.INVALID_ARGUMENT);
    expect(res.details).toMatch(/PublishRequest/);
    const garbageBatch = toBinary(PublishRequestSchema, create(PublishRequestSchema, { batch: { batch: Buffer.from('not a batch'), signature: 'eyJ..x' } }));
    expect((await rawUnary(addr('c1'), PUBLISH, garbageBatch, mintCallToken('p1', nodes.p1!.key.privateKey, 'c1'))).code).toBe(status.INVALID_ARGUMENT);
    expect(await batchCount('c1')).toBe(before);
  });

  it('refuses messages over the size limit', async () => {
    const huge = Buffer.alloc(9 * 1024 * 1024, 1);
    const res = await rawUnary(addr('c1'), PUBLISH, huge, mintCallToken('p1', nodes.p1!.key.privateKey, 'c1'));
    expect(res.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('lists through reflection exactly the services each node serves', async () => {
    const descriptors = new Map([...Object.values(allServices)].map((d) => [d.typeName, d]));
    for (const id of ['c1', 'p1', 'reg']) {
      const listed = (await reflectedServices(addr(id))).filter((name) => name.startsWith('cordon.'));
      expect(listed.length, id).toBeGreaterThan(0);
      // Every service a node lists answers (a call without a token is refused, not unimplemented) ...
      for (const name of listed) {
        const method = descriptors.get(name)!.methods[0]!;
        expect((await rawUnary(addr(id), grpcPath(descriptors.get(name)!, method.name), new Uint8Array())).code, `${id} ${name}`).not.toBe(status.UNIMPLEMENTED);
      }
      // ... and every service it does not list is not served.
      for (const [name, service] of descriptors) {
        if (listed.includes(name)) continue;
        expect((await rawUnary(addr(id), grpcPath(service, service.methods[0]!.name), new Uint8Array())).code, `${id} ${name}`).toBe(status.UNIMPLEMENTED);
      }
    }
  });

  it('refuses a revoked key everywhere as soon as the signed manifest arrives', async () => {
    for (const args of [['consortium', 'revoke', '--manifest', fed.manifest, '--id', 'p2'], ['consortium', 'sign', '--manifest', fed.manifest, '--node', fed.dirs.c1!], ['consortium', 'sign', '--manifest', fed.manifest, '--node', fed.dirs.c2!]]) {
      const r = await cli(args);
      expect(r.code, r.err).toBe(0);
    }
    // Pushed to c1 only; c2 and the regulator learn it by anti-entropy.
    const c1 = client('c1', 'c1');
    await c1.updateManifest(JSON.stringify(JSON.parse(await import('node:fs/promises').then((f) => f.readFile(fed.manifest, 'utf8')))));
    c1.close();
    for (const id of ['c1', 'c2', 'reg']) await eventually(async () => nodes[id]!.membership.version === 2, 10_000, `${id} manifest v2`);
    for (const id of ['c1', 'c2']) {
      const c = client('p2', id);
      await expect(c.getHeads()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
      c.close();
    }
    // Its batches are refused even when relayed by someone else.
    const [b] = await nodes.p2!.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 1`;
    const relay = client('c2', 'c1');
    await expect(relay.publish(create(SignedBatchSchema, { batch: b!.batch, signature: b!.signature }))).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    relay.close();
  });
});
