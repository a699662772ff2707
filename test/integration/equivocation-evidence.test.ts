import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFindings } from '../../src/audit/witness/findings-store.js';
import { readNodeKey, type NodeKey } from '../../src/crypto/keys.js';
import { batchDigest } from '../../src/federation/chain/digest.js';
import { GENESIS_DIGEST, MAX_BATCH_BYTES, MAX_EVIDENCE_PER_PROVIDER, MAX_GRPC_MESSAGE_BYTES } from '../../src/federation/chain/limits.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { WITNESS_PART, type WitnessPart } from '../../src/federation/node/parts/witness.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { buildSignedBatches } from '../../src/federation/provider/build-batch.js';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { ListEquivocationsResponseSchema, type Equivocation } from '../../src/gen/cordon/v1/federation_pb.js';
import { createFederation, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * Equivocation evidence is bounded: a node keeps one conflicting batch per
 * (provider, seq) and at most MAX_EVIDENCE_PER_PROVIDER per provider, and
 * ListEquivocations pages by bytes, so evidence of batches near the size
 * limit still reaches the regulator's witness.
 */
describe('equivocation evidence', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const keys: Record<string, NodeKey> = {};
  const client = (from: string, to: string) => new PeerClient({ id: from, key: nodes[from]?.key.privateKey ?? keys[from]!.privateKey }, { id: to, address: `127.0.0.1:${fed.ports[to]}` });
  const evidenceRows = async (provider: string, seq?: bigint) =>
    Number((await nodes.c1!.db.sql`SELECT count(*)::int AS n FROM equivocations WHERE provider_id = ${provider} ${seq ? nodes.c1!.db.sql`AND seq = ${seq.toString()}` : nodes.c1!.db.sql``}`)[0]!.n);

  /** Every page of c1's evidence (as the regulator), checking each page fits one gRPC message. */
  const allPages = async (providerId: string, pageSize = 0) => {
    const reg = client('reg', 'c1');
    const pages: Equivocation[][] = [];
    try {
      let pageToken = '';
      do {
        const res = await reg.listEquivocations(providerId, { pageSize, pageToken });
        expect(toBinary(ListEquivocationsResponseSchema, res).length).toBeLessThanOrEqual(MAX_GRPC_MESSAGE_BYTES);
        pages.push(res.equivocations);
        pageToken = res.nextPageToken;
      } while (pageToken);
    } finally {
      reg.close();
    }
    return pages;
  };

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    for (const id of ['p1', 'p2']) keys[id] = await readNodeKey(`${fed.dirs[id]}/key.jwk`);
    // Long intervals: rounds of the witness and replication happen only when the test asks.
    for (const id of ['c1', 'reg']) nodes[id] = await startInProcess(fed, id, { replication_interval_ms: 600_000 });
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('keeps one conflicting batch per held seq however many a provider signs, and still refuses each as equivocation', async () => {
    const p1 = client('p1', 'c1');
    try {
      const chain = buildSignedBatches('p1', keys.p1!.privateKey, { seq: 0n, digest: GENESIS_DIGEST }, { records: makeRecords(MAX_EVIDENCE_PER_PROVIDER + 2, 'held'), retractions: [] }, { batchRecords: 1 });
      for (const b of chain) await p1.publish(create(SignedBatchSchema, { batch: b.batch, signature: b.signature }));
      // Five different, validly signed batches at the held seq 1.
      for (let i = 0; i < 5; i++) {
        const [evil] = buildSignedBatches('p1', keys.p1!.privateKey, { seq: 0n, digest: GENESIS_DIGEST }, { records: makeRecords(1, `evil-${i}`), retractions: [] });
        await expect(p1.publish(create(SignedBatchSchema, { batch: evil!.batch, signature: evil!.signature }))).rejects.toMatchObject({
          code: 'EQUIVOCATION', message: expect.stringMatching(/p1#1: a different batch is already held at this sequence number/),
        });
      }
      expect(await evidenceRows('p1', 1n)).toBe(1);
      // One conflict at every other held seq: the provider's evidence stops at the cap, each still refused.
      for (const held of chain.slice(1)) {
        const prev = chain[Number(held.seq) - 2]!;
        const [evil] = buildSignedBatches('p1', keys.p1!.privateKey, { seq: prev.seq, digest: prev.digest }, { records: makeRecords(1, `evil-at-${held.seq}`), retractions: [] });
        await expect(p1.publish(create(SignedBatchSchema, { batch: evil!.batch, signature: evil!.signature }))).rejects.toMatchObject({ code: 'EQUIVOCATION' });
      }
      expect(await evidenceRows('p1')).toBe(MAX_EVIDENCE_PER_PROVIDER);
      // What is kept is the first conflict at each seq, listed a page at a time.
      const pages = await allPages('p1', 5);
      expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 1]);
      expect(pages.flat().map((e) => e.seq)).toEqual(Array.from({ length: MAX_EVIDENCE_PER_PROVIDER }, (_, i) => BigInt(i + 1)));
    } finally {
      p1.close();
    }
  });

  it('lists conflicting batches near the size limit a page at a time, and the witness proves the equivocations from them', async () => {
    // 9,000 records of 12 tokens: about 4.7 MB a batch, over half the batch limit, so no two share a message.
    const big = (tag: string, on: { seq: bigint; digest: Uint8Array }) =>
      buildSignedBatches('p2', keys.p2!.privateKey, on, { records: makeRecords(9_000, tag, 12), retractions: [] }, { batchRecords: 9_000 })[0]!;
    const held1 = big('held-1', { seq: 0n, digest: GENESIS_DIGEST });
    const conflicting1 = big('conflicting-1', { seq: 0n, digest: GENESIS_DIGEST });
    const held2 = big('held-2', held1);
    const conflicting2 = big('conflicting-2', held1);
    for (const b of [held1, conflicting1, held2, conflicting2]) expect(b.batch.length).toBeGreaterThan(MAX_BATCH_BYTES / 2);
    const p2 = client('p2', 'c1');
    try {
      for (const [held, conflicting] of [[held1, conflicting1], [held2, conflicting2]] as const) {
        await p2.publish(create(SignedBatchSchema, { batch: held.batch, signature: held.signature }));
        await expect(p2.publish(create(SignedBatchSchema, { batch: conflicting.batch, signature: conflicting.signature }))).rejects.toMatchObject({ code: 'EQUIVOCATION' });
      }
    } finally {
      p2.close();
    }
    // Two entries that cannot share a message: two pages, each entry the conflicting batch.
    const pages = await allPages('p2');
    expect(pages.map((p) => p.map((e) => `${e.providerId}#${e.seq}`))).toEqual([['p2#1'], ['p2#2']]);
    expect(pages.flat().map((e) => Buffer.from(batchDigest(e.conflicting!.batch)).toString('hex'))).toEqual([conflicting1, conflicting2].map((b) => Buffer.from(b.digest).toString('hex')));
    // Every provider's evidence, default page size: all of it, each entry once, in order.
    const everything = (await allPages('')).flat();
    expect(everything.map((e) => `${e.providerId}#${e.seq}`)).toEqual([...Array.from({ length: MAX_EVIDENCE_PER_PROVIDER }, (_, i) => `p1#${i + 1}`), 'p2#1', 'p2#2']);

    await nodes.reg!.part<WitnessPart>(WITNESS_PART)!.round();
    const found = (await listFindings(nodes.reg!.db.sql)).filter((f) => f.providerId === 'p2');
    expect(found.map((f) => [f.kind, f.subject]).sort()).toEqual([['equivocation', 'p2#1'], ['equivocation', 'p2#2']]);
    for (const [f, pair] of [[found.find((x) => x.subject === 'p2#1')!, [held1, conflicting1]], [found.find((x) => x.subject === 'p2#2')!, [held2, conflicting2]]] as const) {
      const shown = (f.evidence as { batches: { digest: string }[] }).batches.map((b) => b.digest).sort();
      expect(shown).toEqual(pair.map((b) => Buffer.from(b.digest).toString('hex')).sort());
    }
  });
});
