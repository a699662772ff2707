import { create } from '@bufbuild/protobuf';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { FEDERATION_PART, type FederationPart } from '../../src/federation/node/parts/federation.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { buildSignedBatches, type ChainPosition } from '../../src/federation/provider/build-batch.js';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * A node that runs for weeks must not keep what it has already committed.
 * The soak (`npm run bench -- load`) found each provider lane holding every
 * accepted batch, bytes and decoded rows, through a chain of settled
 * promises; the node grew ~5 MB/s under 50 providers and died. Here: after
 * a run of publications, the garbage collector can take every accepted
 * batch's bytes back.
 */
describe('accepted batches are not retained after commit', () => {
  let fed: Federation;
  let node: RunningNode;

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }], { embedded: ['p1'] });
    node = await startInProcess(fed, 'c1');
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('lets every committed batch be collected', async () => {
    const refs: WeakRef<Uint8Array>[] = [];
    node.part<FederationPart>(FEDERATION_PART)!.chain.onAccepted((r) => refs.push(new WeakRef(r.verified.bytes)));
    const key = (await readNodeKey((await loadConfig(fed.dirs.p1!)).key_file)).privateKey;
    const client = new PeerClient({ id: 'p1', key }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    let head: ChainPosition = { seq: 0n, digest: GENESIS_DIGEST };
    const BATCHES = 20;
    for (let i = 0; i < BATCHES; i++) {
      const [b] = buildSignedBatches('p1', key, head, { records: makeRecords(50, `r${i}`), retractions: [] }, { batchRecords: 50 });
      await client.publish(create(SignedBatchSchema, { batch: b!.batch, signature: b!.signature }));
      head = { seq: b!.seq, digest: b!.digest };
    }
    client.close();
    expect(refs).toHaveLength(BATCHES);
    // Collected, give or take the last one or two (the matcher may still be reading it).
    const alive = await eventually(async () => {
      gc();
      await new Promise((r) => setTimeout(r, 50));
      const n = refs.filter((r) => r.deref() !== undefined).length;
      return n <= 2 ? n : undefined;
    }, 10_000, 'accepted batches to be collected').catch(() => refs.filter((r) => r.deref() !== undefined).length);
    expect(alive, 'accepted batches still reachable after commit').toBeLessThanOrEqual(2);
  });
});
