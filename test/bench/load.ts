import { create } from '@bufbuild/protobuf';
import { spawn } from 'node:child_process';
import { randomBytes, type KeyObject } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/load.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { buildSignedBatches, type ChainPosition } from '../../src/federation/provider/build-batch.js';
import { RecordKind, RecordSchema, RetractionSchema, SignedBatchSchema, TokenKind, TokenSchema, type Record as BatchRecord } from '../../src/gen/cordon/v1/common_pb.js';
import { AlertClient } from '../../src/match/client/alert-client.js';
import { CLI, createFederation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';
import { benchPostgres } from './_postgres.js';

/**
 * load (issue 10, item 4): PROVIDERS providers publish concurrently to one
 * consortium node running in its own process, WATCHERS alert watch streams
 * follow it, and steady queries (ListCampaigns, GetHeads) run beside them,
 * for SECONDS. Each provider publishes a batch of BATCH_RECORDS every
 * PUBLISH_EVERY_MS, one record of which shares a payment token with another
 * provider, so alerts flow to the watchers, and retracts its batch of
 * LIVE_ROUNDS rounds ago, so the live data stays constant (a soak, not a fill).
 *
 * Reported: p50/p99 latency per RPC, records/s, errors (any failed call or
 * stream), and the node's resident memory (VmRSS) after warm-up and at the
 * end: growth ≤ 10% is the acceptance line. Baseline (same run, before the
 * load): the same RPCs from one idle client.
 */
const quick = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_LOAD_S ?? (quick ? 20 : 300));
const PROVIDERS = Number(process.env.BENCH_LOAD_PROVIDERS ?? (quick ? 10 : 50));
const WATCHERS = Number(process.env.BENCH_LOAD_WATCHERS ?? (quick ? 40 : 200));
const QUERIES_PER_S = Number(process.env.BENCH_LOAD_QPS ?? 20);
const BATCH_RECORDS = 100;
const PUBLISH_EVERY_MS = 1_000;
/**
 * Each provider keeps this many rounds of records live, retracting older
 * ones: the live set stays constant after the first LIVE_ROUNDS seconds, so
 * memory that keeps growing after warm-up is a leak, not data.
 */
const LIVE_ROUNDS = Number(process.env.BENCH_LOAD_LIVE_ROUNDS ?? (quick ? 5 : 30));
/**
 * Warm-up, after which memory must stay flat: the larger of a quarter of the
 * run and three live windows. The live set is full after LIVE_ROUNDS; the
 * token index reaches its steady size only after its first compaction, which
 * waits until withdrawn records outnumber live ones (another LIVE_ROUNDS or
 * more); V8 sizes its heap for that load meanwhile.
 */
const WARMUP_S = Math.max(SECONDS * 0.25, 3 * LIVE_ROUNDS);
/**
 * RSS is compared as medians over windows this long (a fifth of the run):
 * long enough to span a compaction and several GCs, so one sawtooth tooth
 * more or less does not swing the figure.
 */
const WINDOW_S = Math.max(3, SECONDS * 0.2);
const BASELINE_CALLS = 50;
const line = (o: object) => console.log(JSON.stringify(o));

const pg = await benchPostgres('bench-load');
const providerIds = Array.from({ length: PROVIDERS }, (_, i) => `p${i + 1}`);
// Providers never start a node here (the bench speaks for them), so they need no database.
const fed = await createFederation([{ id: 'c1', role: 'consortium' }, ...providerIds.map((id) => ({ id, role: 'provider' as const }))], { embedded: providerIds, policy: { disclosure: 'count' } });
const c1Url = await pg.database('bench_load_c1');
const child = spawn(process.execPath, [CLI, 'node', 'start', '--node', fed.dirs.c1!], { env: { ...process.env, DATABASE_URL: c1Url, CORDON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && ok()));
// The node's own warnings and errors go to stderr, out of the way of the JSON lines.
child.stdout!.pipe(process.stderr);
// A node that dies mid-run says how (signal or exit code) instead of leaving only connection errors behind.
let nodeExit: { code: number | null; signal: string | null; t_s: number } | undefined;
child.on('exit', (code, signal) => {
  nodeExit = { code, signal, t_s: Math.round((performance.now() - (startedAt ?? performance.now())) / 1000) };
  line({ phase: 'node-exit', ...nodeExit });
});
let startedAt: number | undefined;
/** The node's resident set (VmRSS) in MB; NaN once it is gone. */
function rssMb(): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return NaN;
  }
}

interface Provider { id: string; key: KeyObject; client: PeerClient; head: ChainPosition }
const peer = { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` };
const providers: Provider[] = [];
for (const id of providerIds) {
  const key = (await readNodeKey((await loadConfig(fed.dirs[id]!)).key_file)).privateKey;
  providers.push({ id, key, client: new PeerClient({ id, key }, peer), head: { seq: 0n, digest: GENESIS_DIGEST } });
}

const latencies: Record<string, number[]> = {};
let errors = 0;
const firstErrors: string[] = [];
async function timed<T>(rpc: string, call: () => Promise<T>): Promise<T | undefined> {
  const t0 = performance.now();
  try {
    const r = await call();
    (latencies[rpc] ??= []).push(performance.now() - t0);
    return r;
  } catch (err) {
    errors++;
    if (firstErrors.length < 5) firstErrors.push(`${rpc}: ${(err as Error).message}`);
    return undefined;
  }
}
const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

/** A pool of tokens each planted at two providers, so overlaps (and alerts) keep coming. */
const SHARED = Array.from({ length: 1000 }, () => randomBytes(32));
let planted = 0;
function sharedRecord(p: Provider, n: number): BatchRecord {
  const now = Date.now();
  const token = SHARED[Math.floor(planted++ / 2) % SHARED.length]!;
  return create(RecordSchema, {
    recordId: `${p.id}-shared-${n}`, epoch: 1, kind: RecordKind.ACCOUNT, tokens: [create(TokenSchema, { kind: TokenKind.PAYMENT, value: token })],
    labels: ['volume'], score: 0.8, firstSeenMs: BigInt(now - 3_600_000), lastSeenMs: BigInt(now), expiresMs: BigInt(now + 30 * 86_400_000),
  });
}
let published = 0;
async function publishNext(p: Provider, round: number, rpc = 'Publish'): Promise<void> {
  const records = [...makeRecords(BATCH_RECORDS - 1, `${p.id}-r${round}`), sharedRecord(p, round)];
  // A steady state, not a growing one: each batch retracts the batch of LIVE_ROUNDS rounds ago.
  const old = round - LIVE_ROUNDS;
  const retractions = old >= 0 ? [...Array.from({ length: BATCH_RECORDS - 1 }, (_, i) => `${p.id}-r${old}-${i}`), `${p.id}-shared-${old}`].map((recordId) => create(RetractionSchema, { recordId, reason: 'soak' })) : [];
  const [b] = buildSignedBatches(p.id, p.key, p.head, { records, retractions }, { batchRecords: BATCH_RECORDS });
  const ok = await timed(rpc, () => p.client.publish(create(SignedBatchSchema, { batch: b!.batch, signature: b!.signature })));
  if (ok) {
    p.head = { seq: b!.seq, digest: b!.digest };
    if (rpc === 'Publish') published += records.length;
  }
}
const queryClient = new AlertClient({ id: providers[0]!.id, key: providers[0]!.key }, peer);
const query = (i: number, rpc = i % 2 === 0 ? 'ListCampaigns' : 'GetHeads') =>
  timed<unknown>(rpc, () => (rpc.includes('ListCampaigns') ? queryClient.listCampaigns(100) : providers[i % providers.length]!.client.getHeads()));

// Baseline: the same RPCs, one at a time, on an idle node.
for (let i = 0; i < BASELINE_CALLS; i++) await publishNext(providers[0]!, -1 - i, 'baseline:Publish');
for (let i = 0; i < BASELINE_CALLS; i++) await query(i, i % 2 === 0 ? 'baseline:ListCampaigns' : 'baseline:GetHeads');
line({ phase: 'baseline', publish_p99_ms: percentile(latencies['baseline:Publish']!, 99), list_campaigns_p99_ms: percentile(latencies['baseline:ListCampaigns']!, 99), get_heads_p99_ms: percentile(latencies['baseline:GetHeads']!, 99), rss_mb: Math.round(rssMb()) });

// Watchers: WATCHERS following streams, spread over the providers.
const abort = new AbortController();
// Every watcher listens on the one signal.
setMaxListeners(WATCHERS + 10, abort.signal);
let alertsReceived = 0;
const watchClients: AlertClient[] = [];
const watching = Array.from({ length: WATCHERS }, async (_, i) => {
  const p = providers[i % providers.length]!;
  const c = new AlertClient({ id: p.id, key: p.key }, peer);
  watchClients.push(c);
  while (!abort.signal.aborted) {
    try {
      for await (const _ of c.watch(0n, { signal: abort.signal })) alertsReceived++;
    } catch (err) {
      if (abort.signal.aborted) return;
      errors++;
      if (firstErrors.length < 5) firstErrors.push(`WatchAlerts: ${(err as Error).message}`);
    }
  }
});

const started = performance.now();
startedAt = started;
const deadline = started + SECONDS * 1000;
const rss: { t: number; mb: number }[] = [];
const sampler = setInterval(() => rss.push({ t: (performance.now() - started) / 1000, mb: rssMb() }), 1000);
const publishing = providers.map(async (p, i) => {
  // Spread the providers over the interval instead of publishing in lockstep.
  await new Promise((r) => setTimeout(r, (i / providers.length) * PUBLISH_EVERY_MS));
  for (let round = 0; performance.now() < deadline; round++) {
    const t0 = performance.now();
    await publishNext(p, round);
    await new Promise((r) => setTimeout(r, Math.max(0, PUBLISH_EVERY_MS - (performance.now() - t0))));
  }
});
const querying = (async () => {
  for (let i = 0; performance.now() < deadline; i++) {
    await query(i);
    await new Promise((r) => setTimeout(r, 1000 / QUERIES_PER_S));
  }
})();
const progress = setInterval(() => line({ phase: 'load', t_s: Math.round((performance.now() - started) / 1000), records: published, alerts_received: alertsReceived, errors, rss_mb: Math.round(rss.at(-1)?.mb ?? 0) }), 10_000);
await Promise.all([...publishing, querying]);
const elapsedS = (performance.now() - started) / 1000;
clearInterval(sampler);
clearInterval(progress);
abort.abort();
await Promise.allSettled(watching);
for (const c of watchClients) c.close();
queryClient.close();
for (const p of providers) p.client.close();
const nodeDiedDuringRun = nodeExit !== undefined;
if (!nodeDiedDuringRun) {
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}
await pg.close();

/** Median RSS over a window of samples: one GC more or less must not swing the figure. */
const medianMb = (from: number, to: number) => {
  const xs = rss.filter((s) => s.t >= from && s.t < to).map((s) => s.mb).sort((a, b) => a - b);
  return xs.length ? xs[Math.floor(xs.length / 2)]! : NaN;
};
const warm = WARMUP_S;
const window = WINDOW_S;
const rssAfterWarmup = medianMb(warm, warm + window);
const rssEnd = medianMb(SECONDS - window, SECONDS + 1);
const perRpc = Object.fromEntries(Object.entries(latencies).map(([rpc, xs]) => [rpc, { calls: xs.length, p50_ms: percentile(xs, 50), p99_ms: percentile(xs, 99) }]));
line({ phase: 'latency', per_rpc: perRpc, first_errors: firstErrors });
line({
  bench: 'load',
  providers: PROVIDERS,
  watchers: WATCHERS,
  seconds: Math.round(elapsedS),
  records_per_s: Math.round(published / elapsedS),
  publish_p50_ms: percentile(latencies.Publish ?? [], 50),
  publish_p99_ms: percentile(latencies.Publish ?? [], 99),
  baseline_publish_p99_ms: percentile(latencies['baseline:Publish']!, 99),
  query_p50_ms: percentile([...(latencies.ListCampaigns ?? []), ...(latencies.GetHeads ?? [])], 50),
  query_p99_ms: percentile([...(latencies.ListCampaigns ?? []), ...(latencies.GetHeads ?? [])], 99),
  baseline_query_p99_ms: percentile([...latencies['baseline:ListCampaigns']!, ...latencies['baseline:GetHeads']!], 99),
  alerts_received: alertsReceived,
  errors,
  node_died_during_run: nodeDiedDuringRun,
  warmup_s: warm,
  rss_window_s: window,
  rss_after_warmup_mb: Math.round(rssAfterWarmup),
  rss_peak_after_warmup_mb: Math.round(Math.max(...rss.filter((r) => r.t >= warm).map((r) => r.mb))),
  rss_end_mb: Math.round(rssEnd),
  rss_growth_pct: Math.round(((rssEnd - rssAfterWarmup) / rssAfterWarmup) * 1000) / 10,
});
process.exit(0);
