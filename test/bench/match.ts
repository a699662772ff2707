import { create, fromBinary } from '@bufbuild/protobuf';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { AlertKind } from '../../src/gen/cordon/v1/alerts_pb.js';
import { BatchSchema, SignedBatchSchema, type Record as BatchRecord } from '../../src/gen/cordon/v1/common_pb.js';
import { loadConfig } from '../../src/config/load.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { recordRows } from '../../src/federation/chain/record-rows.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { buildSignedBatches, type ChainPosition } from '../../src/federation/provider/build-batch.js';
import { AlertClient } from '../../src/match/client/alert-client.js';
import { copyBinary, RECORD_COLUMNS } from '../../src/store/chain-store.js';
import { migrate } from '../../src/store/migrate.js';
import { benchPostgres } from './_postgres.js';
import { CLI, createFederation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * match: three providers publish N records each (5 tokens per record) to a
 * consortium node running in its own process; 1% of each provider's records
 * carry a token planted at exactly one other provider. The clock runs from
 * the first publication until the node has matched every batch.
 *
 * Then a latency phase: 10,000 records/s of background load, and every
 * 200 ms a fresh overlap published by one provider and then another; the
 * latency of each is from the acknowledgement of its second publication to
 * the overlap alert's arrival at both providers' watch streams.
 *
 * Baseline (same run): a raw binary COPY of the same record rows into PostgreSQL.
 */
const quick = process.argv.includes('--quick');
const PER_PROVIDER = Number(process.env.BENCH_MATCH_N ?? (quick ? 100_000 : 1_000_000));
const BATCH = 5_000;
const WINDOW = 4;
const PLANT_SHARE = 0.01;
const LATENCY_SECONDS = Number(process.env.BENCH_MATCH_LATENCY_S ?? (quick ? 10 : 30));
const BACKGROUND_PER_S = 10_000;
const PROVIDERS = ['p1', 'p2', 'p3'] as const;
const line = (o: object) => console.log(JSON.stringify(o));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const pg = await benchPostgres('bench-match');
const dbUrl = pg.database;
const fed = await createFederation([{ id: 'c1', role: 'consortium' }, ...PROVIDERS.map((id) => ({ id, role: 'provider' as const }))], { policy: { disclosure: 'names' } });
const c1Url = await dbUrl('bench_match_c1');
const child = spawn(process.execPath, [CLI, 'node', 'start', '--node', fed.dirs.c1!], { env: { ...process.env, DATABASE_URL: c1Url, CORDON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
// The node is our child: never leave it running if the benchmark dies.
process.on('exit', () => child.kill('SIGKILL'));
await new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && ok()));
const c1 = postgres(c1Url, { max: 2, onnotice: () => undefined });

interface Provider { id: string; key: import('node:crypto').KeyObject; client: PeerClient; alerts: AlertClient; head: ChainPosition }
const providers: Provider[] = [];
for (const id of PROVIDERS) {
  const key = (await readNodeKey((await loadConfig(fed.dirs[id]!)).key_file)).privateKey;
  const peer = { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` };
  providers.push({ id, key, client: new PeerClient({ id, key }, peer), alerts: new AlertClient({ id, key }, peer), head: { seq: 0n, digest: GENESIS_DIGEST } });
}

/** Publishes a provider's records in signed batches (window of WINDOW in flight); calls onAck per batch. */
async function publishAll(p: Provider, records: BatchRecord[], batch = BATCH, onAck?: (first: number, n: number, at: number) => void): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < records.length; i += batch) {
    const [b] = buildSignedBatches(p.id, p.key, p.head, { records: records.slice(i, i + batch), retractions: [] }, { batchRecords: batch });
    p.head = { seq: b!.seq, digest: b!.digest };
    const first = i;
    inFlight.push(p.client.publish(create(SignedBatchSchema, { batch: b!.batch, signature: b!.signature })).then(() => onAck?.(first, Math.min(batch, records.length - first), performance.now())));
    if (inFlight.length >= WINDOW) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

const unmatched = async () => Number((await c1<{ n: number }[]>`SELECT count(*)::int AS n FROM batches WHERE NOT matched`)[0]!.n);
async function untilMatched(): Promise<void> {
  while ((await unmatched()) > 0) await new Promise((r) => setTimeout(r, 100));
}

// Throughput phase. Planted: for each provider i, 1% of its records share a
// token with a record of provider (i+1) mod 3 (the token is the record's payment token).
const planted = new Set<string>();
const data: BatchRecord[][] = providers.map((p) => makeRecords(PER_PROVIDER, `${p.id}-r`));
const plantsPerProvider = Math.round(PER_PROVIDER * PLANT_SHARE / 2);
for (let i = 0; i < providers.length; i++) {
  const next = (i + 1) % providers.length;
  for (let j = 0; j < plantsPerProvider; j++) {
    const token = randomBytes(32);
    planted.add(hex(token));
    // Spread over the publication: record positions differ at the two providers.
    const a = Math.floor(((j + 0.5) / plantsPerProvider) * PER_PROVIDER);
    const b = (a + Math.floor(PER_PROVIDER / 7)) % PER_PROVIDER;
    data[i]![a]!.tokens[3]!.value = token;
    data[next]![b === a ? (b + 1) % PER_PROVIDER : b]!.tokens[3]!.value = token;
  }
}
/** Every overlap alert each provider receives: token hex → arrival time. */
const arrivals = PROVIDERS.map(() => new Map<string, number>());
const abort = new AbortController();
// Watch only now: preparing the data blocks the event loop for a while, and a call
// token minted before that would be stale by the time the call leaves.
const watching = providers.map(async (p, i) => {
  for await (const a of p.alerts.watch(0n, { signal: abort.signal })) {
    if (a.kind === AlertKind.OVERLAP && a.token.length > 0 && !arrivals[i]!.has(hex(a.token))) arrivals[i]!.set(hex(a.token), performance.now());
  }
});

line({ step: 'prepared', providers: providers.length, records_per_provider: PER_PROVIDER, planted_overlaps: planted.size });
const started = performance.now();
let acked = 0;
await Promise.all(providers.map((p, i) => publishAll(p, data[i]!, BATCH, (_f, n) => {
  acked += n;
  if (acked % 300_000 < n) line({ step: 'published', records: acked, elapsed_s: +((performance.now() - started) / 1000).toFixed(2), unmatched_batches: 'pending' });
})));
const publishedAt = performance.now();
line({ step: 'all published', seconds: +((publishedAt - started) / 1000).toFixed(2) });
await untilMatched();
const seconds = (performance.now() - started) / 1000;
const total = PER_PROVIDER * providers.length;
line({ step: 'all matched', seconds: +seconds.toFixed(2), match_lag_s: +((performance.now() - publishedAt) / 1000).toFixed(2) });

const links = await c1<{ token: Uint8Array | null; providers: string[] }[]>`SELECT token, providers FROM links WHERE withdrawn_at IS NULL AND cardinality(providers) >= 2`;
const foundTokens = new Set(links.filter((l) => l.token).map((l) => hex(l.token!)));
const found = [...planted].filter((t) => foundTokens.has(t)).length;
const falseOverlaps = links.length - found;
// Every planted overlap must also have reached both providers' watch streams.
const deadline = performance.now() + 30_000;
const alerted = () => [...planted].filter((t) => arrivals.filter((m) => m.has(t)).length === 2).length;
while (alerted() < found && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
line({ step: 'verified', planted_overlaps: planted.size, found_overlaps: found, false_overlaps: falseOverlaps, alerted_at_both: alerted() });

// Latency phase: background load plus a fresh planted overlap every 200 ms.
const latencies: number[] = [];
let stopBackground = false;
const background = Promise.all(providers.map(async (p, i) => {
  const perTick = Math.round(BACKGROUND_PER_S / providers.length / 10);
  let n = 0;
  while (!stopBackground) {
    const t = performance.now();
    await publishAll(p, makeRecords(perTick, `${p.id}-bg${n++}`), perTick);
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - t))));
  }
  void i;
}));
const probes: Promise<void>[] = [];
const phaseEnd = performance.now() + LATENCY_SECONDS * 1000;
let k = 0;
while (performance.now() < phaseEnd) {
  const a = k % 3;
  const b = (k + 1) % 3;
  k++;
  const token = randomBytes(32);
  const [ra, rb] = [makeRecords(1, `probe${k}a`)[0]!, makeRecords(1, `probe${k}b`)[0]!];
  ra.tokens[3]!.value = token;
  rb.tokens[3]!.value = token;
  probes.push((async () => {
    await publishAll(providers[a]!, [ra], 1);
    let ackSecond = 0;
    await publishAll(providers[b]!, [rb], 1, (_f, _n, at) => (ackSecond = at));
    const t = hex(token);
    const until = performance.now() + 20_000;
    while (!(arrivals[a]!.has(t) && arrivals[b]!.has(t)) && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
    if (arrivals[a]!.has(t) && arrivals[b]!.has(t)) latencies.push(Math.max(arrivals[a]!.get(t)!, arrivals[b]!.get(t)!) - ackSecond);
    else latencies.push(Infinity);
  })());
  await new Promise((r) => setTimeout(r, 200));
}
await Promise.all(probes);
stopBackground = true;
await background;
latencies.sort((x, y) => x - y);
const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
line({ step: 'latency', probes: latencies.length, p50_ms: +pct(0.5).toFixed(1), p99_ms: +pct(0.99).toFixed(1), max_ms: +latencies.at(-1)!.toFixed(1) });

abort.abort();
await Promise.allSettled(watching);
for (const p of providers) {
  p.client.close();
  p.alerts.close();
}
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));

// Baseline: the same record rows straight into PostgreSQL with binary COPY.
const copyDb = postgres(await dbUrl('bench_match_copy'), { max: 1, onnotice: () => undefined });
await migrate(copyDb);
let copySeconds = 0;
let copied = 0;
for (const p of PROVIDERS) {
  for (let seq = 1; ; seq += 20) {
    const rows = await c1<{ batch: Uint8Array }[]>`SELECT batch FROM batches WHERE provider_id = ${p} AND seq >= ${seq} AND seq < ${seq + 20} AND record_count = ${BATCH} ORDER BY seq`;
    if (rows.length === 0) break;
    const payloads = rows.map((r) => recordRows(fromBinary(BatchSchema, r.batch)));
    const t = performance.now();
    for (const payload of payloads) await copyDb.begin((tx) => copyBinary(tx, 'records', RECORD_COLUMNS, payload));
    copySeconds += (performance.now() - t) / 1000;
    copied += rows.length * BATCH;
    if (copied >= total) break;
  }
}
await copyDb.end();
await c1.end();
await pg.close();
const recordsPerS = total / seconds;
const copyPerS = copied / copySeconds;
line({
  bench: 'match',
  providers: PROVIDERS.length,
  records: total,
  seconds: +seconds.toFixed(2),
  records_per_s: Math.round(recordsPerS),
  copy_records_per_s: Math.round(copyPerS),
  ratio_to_copy: +(recordsPerS / copyPerS).toFixed(3),
  planted_overlaps: planted.size,
  found_overlaps: found,
  false_overlaps: falseOverlaps,
  alert_p50_ms: +pct(0.5).toFixed(1),
  alert_p99_ms: +pct(0.99).toFixed(1),
  background_records_per_s: BACKGROUND_PER_S,
});
process.exit(0);
