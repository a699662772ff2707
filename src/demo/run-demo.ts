import { create } from '@bufbuild/protobuf';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedBatchSchema } from '../gen/cordon/v1/common_pb.js';
import { PublishOutcome } from '../gen/cordon/v1/federation_pb.js';
import { loadConfig } from '../config/load.js';
import { errorMessage } from '../errors.js';
import { PeerClient } from '../federation/client/peer-client.js';
import { freePort } from '../federation/node/free-port.js';
import { startNode, type RunningNode } from '../federation/node/start-node.js';
import { appendToChain } from '../federation/provider/outbox.js';
import { createLogger } from '../log.js';
import { layOutFederation, type NodePlan } from './federation-setup.js';
import { syntheticRecords } from './synthetic-records.js';

/**
 * The federation in one process tree: two consortium nodes, two providers
 * and a regulator, each its own gRPC server on loopback with its own
 * embedded PostgreSQL. Providers publish signed batches to different
 * consortium nodes; anti-entropy replicates them everywhere; a tampered
 * batch and a regulator's write are refused.
 */
export interface DemoOptions {
  dir?: string;
  records: number;
  exit: boolean;
  say: (line: string) => void;
}

export interface DemoSummary {
  records_published: number;
  publish_records_per_s: number;
  replication_converged_ms: number;
  tampered_batch: string;
  regulator_write: string;
  nodes: Record<string, string>;
}

const step = (say: (l: string) => void, n: number, text: string) => say(`\n[${n}] ${text}`);

export async function runDemo(opts: DemoOptions): Promise<{ summary: DemoSummary; root: string; nodes: RunningNode[]; stop: () => Promise<void> }> {
  const { say } = opts;
  const root = opts.dir ?? join(tmpdir(), `cordon-demo-${process.pid}`);
  const plan: NodePlan[] = [
    { id: 'consortium-1', role: 'consortium', org: 'Neutral Operator One', port: await freePort() },
    { id: 'consortium-2', role: 'consortium', org: 'Neutral Operator Two', port: await freePort() },
    { id: 'provider-a', role: 'provider', org: 'Lab A', port: await freePort() },
    { id: 'provider-b', role: 'provider', org: 'Lab B', port: await freePort() },
    { id: 'regulator', role: 'regulator', org: 'The Regulator', port: await freePort() },
  ];
  step(say, 1, `Creating 5 nodes in ${root}: keys, configs, and a manifest signed by both founders (2 of 2)`);
  const { dirs } = await layOutFederation(root, plan, ['consortium-1', 'consortium-2'], 2);

  step(say, 2, 'Starting every node on loopback, each with its own embedded PostgreSQL');
  const running: Record<string, RunningNode> = {};
  const log = createLogger({}, { level: 'warn' });
  await Promise.all(
    plan.map(async (p) => {
      const config = await loadConfig(dirs[p.id]!);
      const publishTo = p.id === 'provider-a' ? ['consortium-1'] : ['consortium-2'];
      running[p.id] = await startNode({ ...config, replication_interval_ms: 200, ...(p.role === 'provider' ? { publish_to: publishTo } : {}) }, { log: log.child({ node: p.id }) });
      say(`    ${p.id.padEnd(13)} ${p.role.padEnd(10)} grpc ${running[p.id]!.address}`);
    }),
  );
  const stop = async () => {
    await Promise.all(Object.values(running).map((n) => n.stop()));
  };

  try {
    step(say, 3, `provider-a publishes ${opts.records.toLocaleString()} records to consortium-1, provider-b ${Math.round(opts.records / 2).toLocaleString()} to consortium-2`);
    const t0 = performance.now();
    const pubA = async () => {
      const a = running['provider-a']!;
      await appendToChain(a.db.sql, 'provider-a', a.key.privateKey, { records: syntheticRecords(opts.records, 'a'), retractions: [] });
      await a.flush();
    };
    const pubB = async () => {
      const b = running['provider-b']!;
      await appendToChain(b.db.sql, 'provider-b', b.key.privateKey, { records: syntheticRecords(Math.round(opts.records / 2), 'b'), retractions: [] });
      await b.flush();
    };
    await Promise.all([pubA(), pubB()]);
    const total = opts.records + Math.round(opts.records / 2);
    const publishS = (performance.now() - t0) / 1000;
    say(`    signed, sent, verified and committed: ${total.toLocaleString()} records in ${publishS.toFixed(2)} s (${Math.round(total / publishS).toLocaleString()} records/s)`);

    step(say, 4, 'Anti-entropy: consortium nodes and the regulator pull what they miss, verifying every signature again');
    const t1 = performance.now();
    const expected = new Map<string, bigint>();
    for (const p of ['provider-a', 'provider-b']) {
      const [row] = await running[p]!.db.sql<{ seq: bigint }[]>`SELECT max(seq) AS seq FROM outbox`;
      expected.set(p, row!.seq);
    }
    for (const id of ['consortium-1', 'consortium-2', 'regulator']) {
      for (;;) {
        const heads = await running[id]!.db.sql<{ provider_id: string; seq: bigint }[]>`SELECT provider_id, seq FROM chain_heads`;
        if ([...expected].every(([p, s]) => heads.some((h) => h.provider_id === p && h.seq === s))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const [{ n }] = (await running[id]!.db.sql`SELECT count(*)::int AS n FROM records`) as unknown as [{ n: number }];
      say(`    ${id.padEnd(13)} holds both chains: ${[...expected].map(([p, s]) => `${p}#${s}`).join(', ')}; ${n.toLocaleString()} records`);
    }
    const convergedMs = performance.now() - t1;
    say(`    converged ${convergedMs.toFixed(0)} ms after the last acknowledgement`);

    step(say, 5, 'A relay flips one byte of a signed batch: refused, nothing stored');
    const a = running['provider-a']!;
    const [held] = await a.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 1`;
    const tampered = Buffer.from(held!.batch);
    tampered[100] = tampered[100]! ^ 1;
    const relay = new PeerClient({ id: 'consortium-2', key: running['consortium-2']!.key.privateKey }, { id: 'consortium-1', address: running['consortium-1']!.address });
    let tamperedResult = 'accepted (!)';
    try {
      await relay.publish(create(SignedBatchSchema, { batch: tampered, signature: held!.signature }));
    } catch (err) {
      tamperedResult = errorMessage(err);
    }
    relay.close();
    say(`    ${tamperedResult}`);

    step(say, 6, 'The regulator reads everything and tries to write: PERMISSION_DENIED');
    const reg = new PeerClient({ id: 'regulator', key: running.regulator!.key.privateKey }, { id: 'consortium-1', address: running['consortium-1']!.address });
    const heads = await reg.getHeads();
    say(`    GetHeads: ${heads.heads.map((h) => `${h.providerId}#${h.seq}`).join(', ')}`);
    let regulatorWrite = 'accepted (!)';
    try {
      await reg.publish(create(SignedBatchSchema, { batch: held!.batch, signature: held!.signature }));
    } catch (err) {
      regulatorWrite = errorMessage(err);
    }
    reg.close();
    say(`    Publish: ${regulatorWrite}`);
    // A resend is a no-op: the node answers DUPLICATE and stores nothing.
    const resender = new PeerClient({ id: 'provider-a', key: a.key.privateKey }, { id: 'consortium-2', address: running['consortium-2']!.address });
    const again = await resender.publish(create(SignedBatchSchema, { batch: held!.batch, signature: held!.signature }));
    resender.close();
    say(`    (provider-a resending batch 1 to consortium-2: ${PublishOutcome[again.outcome]}, nothing changed)`);

    const summary: DemoSummary = {
      records_published: total,
      publish_records_per_s: Math.round(total / publishS),
      replication_converged_ms: Math.round(convergedMs),
      tampered_batch: tamperedResult,
      regulator_write: regulatorWrite,
      nodes: Object.fromEntries(Object.entries(running).map(([id, n]) => [id, n.address])),
    };
    return { summary, root, nodes: Object.values(running), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
