import { create } from '@bufbuild/protobuf';
import { spawn } from 'node:child_process';
import postgres from 'postgres';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { loadConfig } from '../../src/config/load.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { buildSignedBatches } from '../../src/federation/provider/build-batch.js';
import { recordRows } from '../../src/federation/chain/record-rows.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { fromBinary } from '@bufbuild/protobuf';
import { BatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { copyBinary, RECORD_COLUMNS } from '../../src/store/chain-store.js';
import { migrate } from '../../src/store/migrate.js';
import { benchPostgres } from './_postgres.js';
import { createFederation, CLI } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * publish: one provider publishes N records (batches of 5,000, 5 tokens each)
 * to a consortium node (its own process) over loopback gRPC; every batch is
 * signature-verified and committed before it is acknowledged. Baseline: a raw
 * binary COPY of the same rows into the same PostgreSQL.
 */
const quick = process.argv.includes('--quick');
const TOTAL = quick ? 200_000 : 1_000_000;
const BATCH = 5_000;
const WINDOW = 4;
const line = (o: object) => console.log(JSON.stringify(o));

const pg = await benchPostgres('bench-publish');
const dbUrl = pg.database;
const fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }]);
const c1Url = await dbUrl('bench_c1');
const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []), CLI, 'node', 'start', '--node', fed.dirs.c1!], { env: { ...process.env, DATABASE_URL: c1Url, CORDON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && ok()));

const p1 = await loadConfig(fed.dirs.p1!);
const key = await readNodeKey(p1.key_file);
const client = new PeerClient({ id: 'p1', key: key.privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
await client.getHeads();

// Measured: cut + serialize + sign every batch, send, verify, commit.
const started = performance.now();
let head: { seq: bigint; digest: Uint8Array } = { seq: 0n, digest: GENESIS_DIGEST };
const inFlight: Promise<unknown>[] = [];
let done = 0;
for (let i = 0; i < TOTAL; i += BATCH) {
  // Records are made batch by batch, as a provider's pipeline would hand them over.
  const [b] = buildSignedBatches('p1', key.privateKey, head, { records: makeRecords(BATCH, `r${i}`), retractions: [] }, { batchRecords: BATCH });
  head = { seq: b!.seq, digest: b!.digest };
  inFlight.push(client.publish(create(SignedBatchSchema, { batch: b!.batch, signature: b!.signature })).then(() => {
    done += BATCH;
    if (done % 100_000 === 0) line({ step: 'published', records: done, elapsed_s: +((performance.now() - started) / 1000).toFixed(2) });
  }));
  if (inFlight.length >= WINDOW) await inFlight.shift();
}
await Promise.all(inFlight);
const seconds = (performance.now() - started) / 1000;
const recordsPerS = TOTAL / seconds;
client.close();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));

// Baseline: the same rows (read back from the consortium node's store, encoded
// ahead of time, outside the clock) straight into PostgreSQL with COPY.
const c1Db = postgres(c1Url, { max: 1, onnotice: () => undefined, types: { bigint: postgres.BigInt } });
const copyDb = postgres(await dbUrl('bench_copy'), { max: 1, onnotice: () => undefined });
await migrate(copyDb);
let copySeconds = 0;
const PAGE = 20;
for (let seq = 1; seq <= TOTAL / BATCH; seq += PAGE) {
  const rows = await c1Db<{ batch: Uint8Array }[]>`SELECT batch FROM batches WHERE provider_id = 'p1' AND seq >= ${seq} AND seq < ${seq + PAGE} ORDER BY seq`;
  const payloads = rows.map((r) => recordRows(fromBinary(BatchSchema, r.batch)));
  const copyStarted = performance.now();
  for (const p of payloads) await copyDb.begin((tx) => copyBinary(tx, 'records', RECORD_COLUMNS, p));
  copySeconds += (performance.now() - copyStarted) / 1000;
}
await c1Db.end();
const copyPerS = TOTAL / copySeconds;
await copyDb.end();
await pg.close();
line({
  bench: 'publish',
  records: TOTAL,
  batch_records: BATCH,
  seconds: +seconds.toFixed(2),
  records_per_s: Math.round(recordsPerS),
  copy_records_per_s: Math.round(copyPerS),
  ratio_to_copy: +(recordsPerS / copyPerS).toFixed(3),
});
