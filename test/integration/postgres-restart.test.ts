import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CordonError } from '../../src/errors.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { deliverTo } from '../../src/federation/provider/deliver.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { listHeads } from '../../src/store/chain-store.js';
import { openEmbeddedServer, type EmbeddedServer } from '../../src/store/embedded.js';
import { cli, createFederation, eventually, startChild, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * Issue 10, item 2: PostgreSQL restarts under load. Both consortium nodes keep
 * their databases on a server of this test's own, which is restarted twice
 * while two providers publish without pause: once as a crash would
 * (`immediate`: no checkpoint, WAL replay on start) and once as an operator
 * would (`fast`). The nodes must ride through it: stay up, answer every call
 * the outage touches with UNAVAILABLE (retryable, nothing committed) rather
 * than INTERNAL, keep every batch they acknowledged, and afterwards match and
 * log everything, agree with each other, and pass `cordon audit fsck`.
 */
const CONSORTIUM = ['c1', 'c2'] as const;
const PROVIDERS = ['p1', 'p2'] as const;
/** Publishing before, between and after the restarts. */
const PHASE_MS = 1_500;

describe('PostgreSQL restarts under load', () => {
  let dir: string;
  let server: EmbeddedServer;
  let fed: Federation;
  const children: Record<string, ChildProcess & { logs: string[] }> = {};
  const providers: Record<string, RunningNode> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cordon-pg-restart-'));
    await chmod(dir, 0o755);
    server = await openEmbeddedServer(dir);
    const admin = postgres(server.url, { max: 1, onnotice: () => undefined });
    const databases: Record<string, string> = {};
    for (const c of CONSORTIUM) {
      await admin.unsafe(`CREATE DATABASE restart_${c}`);
      const url = new URL(server.url);
      url.pathname = `/restart_${c}`;
      databases[c] = url.toString();
    }
    await admin.end();
    fed = await createFederation([...CONSORTIUM.map((id) => ({ id, role: 'consortium' as const })), ...PROVIDERS.map((id) => ({ id, role: 'provider' as const }))], { databases });
    for (const c of CONSORTIUM) children[c] = await startChild(fed, c);
    // Delivery is driven by the test (to record acknowledgements and failures), not by the providers' timers.
    for (const p of PROVIDERS) providers[p] = await startInProcess(fed, p, { replication_interval_ms: 3_600_000 });
  }, 120_000);

  afterAll(async () => {
    // A node that died says why (its last log lines), instead of leaving only refused connections behind.
    for (const [id, c] of Object.entries(children)) if (c.exitCode !== null) console.error(`${id} exited ${c.exitCode}:\n${c.logs.join('').split('\n').slice(-15).join('\n')}`);
    // The nodes' logs, for whoever investigates a failure.
    await mkdir('tmp/artifacts', { recursive: true });
    for (const [id, c] of Object.entries(children)) await writeFile(`tmp/artifacts/postgres-restart-${id}.log`, c.logs.join(''));
    // What each node's connections were doing at the end (a stuck lock or transaction shows here).
    const admin = postgres(server.url, { max: 1, onnotice: () => undefined });
    const activity = await admin`SELECT datname, pid, state, wait_event_type, wait_event, now() - xact_start AS xact_age, left(query, 200) AS query FROM pg_stat_activity WHERE datname LIKE 'restart_%'`.catch((e) => [{ error: String(e) }]);
    await admin.end();
    await writeFile('tmp/artifacts/postgres-restart-activity.json', JSON.stringify(activity, null, 1));
    for (const c of Object.values(children)) c.kill('SIGKILL');
    await Promise.all(Object.values(providers).map((p) => p.stop()));
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stays up, answers UNAVAILABLE during the outage, loses nothing acknowledged, and catches up', async () => {
    /** node/provider → seq → the exact bytes that node acknowledged. */
    const acked = new Map<string, Map<bigint, Buffer>>();
    const ack = (node: string, provider: string, seq: bigint, bytes: Uint8Array) => {
      const key = `${node}/${provider}`;
      if (!acked.has(key)) acked.set(key, new Map());
      acked.get(key)!.set(seq, Buffer.from(bytes));
    };
    const failures: Record<string, number> = {};
    let stop = false;
    const publishers = PROVIDERS.map(async (p) => {
      const clients = CONSORTIUM.map((c) => new PeerClient({ id: p, key: providers[p]!.key.privateKey }, { id: c, address: `127.0.0.1:${fed.ports[c]}` }));
      for (let round = 0; !stop; round++) {
        await appendToChain(providers[p]!.db.sql, p, providers[p]!.key.privateKey, { records: makeRecords(40, `${p}-${round}`), retractions: [] }, { batchRecords: 20 });
        for (const client of clients) {
          try {
            await deliverTo(providers[p]!.db.sql, p, client, (b) => ack(client.peer.id, p, b.seq, b.batch));
          } catch (err) {
            const code = err instanceof CordonError ? err.code : 'not a CordonError';
            failures[code] = (failures[code] ?? 0) + 1;
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const client of clients) {
        await eventually(async () => {
          await deliverTo(providers[p]!.db.sql, p, client, (b) => ack(client.peer.id, p, b.seq, b.batch));
          return true;
        }, 60_000, `final delivery of ${p} to ${client.peer.id}`);
        client.close();
      }
    });

    const pause = () => new Promise((r) => setTimeout(r, PHASE_MS));
    await pause();
    await server.restart('immediate');
    await pause();
    await server.restart('fast');
    await pause();
    stop = true;
    await Promise.all(publishers);

    // The nodes rode through: still running, and the outage cost retryable failures only.
    for (const c of CONSORTIUM) expect(children[c]!.exitCode, `${c} exited: ${children[c]!.logs.join('')}`).toBeNull();
    expect(failures.UNAVAILABLE ?? 0, 'the restarts interrupted publishing').toBeGreaterThan(0);
    expect(Object.keys(failures), JSON.stringify(failures)).toEqual(['UNAVAILABLE']);

    for (const node of CONSORTIUM) {
      const sql = postgres(fed.databases[node]!, { max: 1, types: { bigint: postgres.BigInt } });
      try {
        for (const p of PROVIDERS) {
          const rows = await sql<{ seq: bigint; batch: Uint8Array }[]>`SELECT seq, batch FROM batches WHERE provider_id = ${p} ORDER BY seq`;
          const outbox = await providers[p]!.db.sql<{ seq: bigint }[]>`SELECT seq FROM outbox ORDER BY seq`;
          const held = new Set(rows.map((r) => r.seq));
          const [head] = await sql<{ seq: bigint }[]>`SELECT seq FROM chain_heads WHERE provider_id = ${p}`;
          const missing = outbox.map((r) => r.seq).filter((s) => !held.has(s));
          expect(rows.map((r) => r.seq), `${node}: ${p}'s chain (missing ${missing.join(',')}, head ${head?.seq}, acked ${[...(acked.get(`${node}/${p}`)?.keys() ?? [])].join(',')})`).toEqual(outbox.map((r) => r.seq));
          for (const [seq, bytes] of acked.get(`${node}/${p}`) ?? []) {
            expect(Buffer.compare(Buffer.from(rows[Number(seq) - 1]!.batch), bytes), `${node}: ${p}#${seq}`).toBe(0);
          }
        }
        // The background work resumed: every batch gets matched and logged.
        await eventually(async () => {
          const [row] = await sql<{ unmatched: number; unlogged: number }[]>`
            SELECT count(*) FILTER (WHERE NOT matched)::int AS unmatched, count(*) FILTER (WHERE log_idx IS NULL)::int AS unlogged FROM batches`;
          return row!.unmatched === 0 && row!.unlogged === 0;
        }, 30_000, `${node} matching and logging every batch after the restarts`);
      } finally {
        await sql.end();
      }
      expect((await cli(['audit', 'fsck', '--node', fed.dirs[node]!])).code, `cordon audit fsck on ${node}`).toBe(0);
    }

    const heads = async (node: string) => {
      const sql = postgres(fed.databases[node]!, { max: 1, types: { bigint: postgres.BigInt } });
      try {
        return (await listHeads(sql)).map((h) => `${h.provider_id}:${h.seq}:${Buffer.from(h.digest).toString('hex')}`);
      } finally {
        await sql.end();
      }
    };
    expect(await heads('c1')).toEqual(await heads('c2'));
    // Nothing unexpected reached the operators' logs: the outage is logged as such, never as an internal error.
    for (const c of CONSORTIUM) expect(children[c]!.logs.join(''), `${c}'s log`).not.toMatch(/internal error/);
    console.log(JSON.stringify({ pg_restarts: 2, publish_failures: failures, batches: Object.fromEntries([...acked].map(([k, v]) => [k, v.size])) }));
  }, 180_000);
});
