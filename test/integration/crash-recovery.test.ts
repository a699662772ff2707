import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { deliverTo } from '../../src/federation/provider/deliver.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { openEmbeddedServer } from '../../src/store/embedded.js';
import postgres from 'postgres';
import { createFederation, eventually, startChild, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * kill -9 of a consortium node while a provider publishes: every batch the
 * node acknowledged is there after restart, byte for byte; the provider
 * resumes with no gap; the other consortium node (also killed and
 * restarted) catches up. c1 runs on its own embedded PostgreSQL, which
 * outlives the killed node and is found again on restart.
 */
describe('crash recovery', () => {
  let fed: Federation;
  let p1: RunningNode;
  const children: Record<string, ChildProcess> = {};
  const kill9 = async (id: string) => {
    const child = children[id]!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' }, { id: 'p1', role: 'provider' }], { embedded: ['c1'] });
    children.c1 = await startChild(fed, 'c1');
    children.c2 = await startChild(fed, 'c2');
    p1 = await startInProcess(fed, 'p1', { publish_to: ['c1'], replication_interval_ms: 3_600_000 });
  });
  afterAll(async () => {
    for (const c of Object.values(children)) c.kill('SIGKILL');
    await p1?.stop();
    // The embedded server outlives its node by design; stop it here.
    await (await openEmbeddedServer(join(fed.dirs.c1!, 'data'))).stop();
  });

  it('keeps every acknowledged batch through kill -9 and resumes without a gap', async () => {
    const client = new PeerClient({ id: 'p1', key: p1.key.privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    const acked = new Map<bigint, Buffer>();
    let stop = false;
    let failures = 0;
    const publisher = (async () => {
      for (let round = 0; !stop; round++) {
        if (round < 30) await appendToChain(p1.db.sql, 'p1', p1.key.privateKey, { records: makeRecords(400, `k${round}`), retractions: [] }, { batchRecords: 100 });
        try {
          await deliverTo(p1.db.sql, 'p1', client, (b) => acked.set(b.seq, Buffer.from(b.batch)));
          if (round >= 30) stop = true;
        } catch {
          failures++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    await eventually(async () => acked.size >= 20, 30_000, 'first acknowledgements');
    await kill9('c1');
    const ackedAtKill = new Map(acked);
    children.c1 = await startChild(fed, 'c1');
    await eventually(async () => acked.size >= ackedAtKill.size + 20, 30_000, 'publishing resumed');
    await kill9('c1');
    children.c1 = await startChild(fed, 'c1');
    await publisher;
    client.close();
    expect(failures).toBeGreaterThan(0); // the kills really interrupted publishing

    const sql = postgres((await openEmbeddedServer(join(fed.dirs.c1!, 'data'))).url.replace(/\/postgres$/, '/cordon'), { max: 1, types: { bigint: postgres.BigInt } });
    const rows = await sql<{ seq: bigint; batch: Uint8Array }[]>`SELECT seq, batch FROM batches WHERE provider_id = 'p1' ORDER BY seq`;
    await sql.end();
    const outbox = await p1.db.sql<{ seq: bigint }[]>`SELECT seq FROM outbox ORDER BY seq`;
    // Gap-free: exactly 1..N, all of the provider's chain.
    expect(rows.map((r) => r.seq)).toEqual(outbox.map((r) => r.seq));
    expect(rows.map((r, i) => r.seq === BigInt(i + 1)).every(Boolean)).toBe(true);
    for (const [seq, bytes] of acked) {
      const row = rows[Number(seq) - 1]!;
      expect(Buffer.compare(row.batch, bytes), `batch ${seq}`).toBe(0);
    }

    // c2 (pulling from c1) survives its own kill -9 and converges.
    await kill9('c2');
    children.c2 = await startChild(fed, 'c2');
    const c2 = new PeerClient({ id: 'p1', key: p1.key.privateKey }, { id: 'c2', address: `127.0.0.1:${fed.ports.c2}` });
    await eventually(async () => (await c2.getHeads()).heads[0]?.seq === BigInt(rows.length), 30_000, 'c2 caught up');
    c2.close();
  }, 180_000);
});
