import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { openEmbeddedServer, type EmbeddedServer } from '../../src/store/embedded.js';
import { cli, createFederation, eventually, startChild, startInProcess, type Federation } from '../support/federation.js';
import { expectCompleteChains, nodeHeads, startPublishing, withNodeDb } from '../support/publish-load.js';

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
    const load = startPublishing(fed, providers, CONSORTIUM, { recordsPerRound: 40, batchRecords: 20 });
    const { acked, failures } = load;

    const pause = () => new Promise((r) => setTimeout(r, PHASE_MS));
    await pause();
    await server.restart('immediate');
    await pause();
    await server.restart('fast');
    await pause();
    await load.finish();

    // The nodes rode through: still running, and the outage cost retryable failures only.
    for (const c of CONSORTIUM) expect(children[c]!.exitCode, `${c} exited: ${children[c]!.logs.join('')}`).toBeNull();
    expect(failures.UNAVAILABLE ?? 0, 'the restarts interrupted publishing').toBeGreaterThan(0);
    expect(Object.keys(failures), JSON.stringify(failures)).toEqual(['UNAVAILABLE']);

    for (const node of CONSORTIUM) {
      await expectCompleteChains(fed, node, providers, acked);
      // The background work resumed: every batch gets matched and logged.
      await eventually(
        () =>
          withNodeDb(fed, node, async (sql) => {
            const [row] = await sql<{ unmatched: number; unlogged: number }[]>`
              SELECT count(*) FILTER (WHERE NOT matched)::int AS unmatched, count(*) FILTER (WHERE log_idx IS NULL)::int AS unlogged FROM batches`;
            return row!.unmatched === 0 && row!.unlogged === 0;
          }),
        30_000,
        `${node} matching and logging every batch after the restarts`,
      );
      expect((await cli(['audit', 'fsck', '--node', fed.dirs[node]!])).code, `cordon audit fsck on ${node}`).toBe(0);
    }

    expect(await nodeHeads(fed, 'c1')).toEqual(await nodeHeads(fed, 'c2'));
    // Nothing unexpected reached the operators' logs: the outage is logged as such, never as an internal error.
    for (const c of CONSORTIUM) expect(children[c]!.logs.join(''), `${c}'s log`).not.toMatch(/internal error/);
    console.log(JSON.stringify({ pg_restarts: 2, publish_failures: failures, batches: Object.fromEntries([...acked].map(([k, v]) => [k, v.size])) }));
  }, 180_000);
});
