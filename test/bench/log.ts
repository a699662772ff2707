import { create, toBinary } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import postgres, { type Sql } from 'postgres';
import { BATCH_LEAF_KIND, batchOfLeaf, decodeLogLeaf, encodeLogLeaf, type LogEntryInput } from '../../src/audit/log-leaf.js';
import { LogClient } from '../../src/audit/service/log-client.js';
import { TransparencyLog } from '../../src/audit/transparency-log.js';
import { Witness } from '../../src/audit/witness/witness.js';
import { hashChildren, hashLeaf } from '../../src/crypto/merkle/index.js';
import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from '../../src/federation/node/parts/transparency-log.js';
import { BatchLeafSchema } from '../../src/gen/cordon/v1/log_pb.js';
import { createLogger } from '../../src/log.js';
import { BinaryCopyWriter } from '../../src/store/copy-binary.js';
import { copyBinary } from '../../src/store/chain-store.js';
import { benchPostgres } from './_postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { createFederation, startInProcess } from '../support/federation.js';

/**
 * log: the transparency log's three figures, each beside a baseline measured
 * in the same run on the same PostgreSQL.
 *  1. leaves_per_s: TransparencyLog.append of realistic batch leaves (~250 B:
 *     provider, seq, digest, detached JWS) in batches of 10,000, one appender,
 *     each batch one transaction. Baselines: a binary COPY of the same leaf
 *     bytes into an unindexed table (what storing them costs at all), and bare
 *     SHA-256 over them (one leaf hash and one node hash per leaf).
 *  2. inclusion_p99_ms: a consortium node (in this process) whose log is built
 *     through its own running log part to 10,000,000 leaves (--quick: 200,000);
 *     then GetInclusionProof over gRPC at random indices, end to end (call
 *     token, ACL, tile reads, fold). Baselines: GetTreeHead over gRPC (the RPC
 *     floor) and a bare one-row SELECT of one tile.
 *  3. witness_leaves_per_s: the regulator's Witness catching up that node's
 *     log from empty (fetch, store in its copy, index batch leaves, recompute
 *     the root, verify the signed head), measured at 1,000,000 leaves
 *     (--quick: 200,000), before the log grows further. Baseline: the same
 *     GetEntries stream only read.
 */
const quick = process.argv.includes('--quick');
const APPEND_LEAVES = quick ? 100_000 : 1_000_000;
const APPEND_BATCH = 10_000;
const WITNESS_LEAVES = quick ? 200_000 : 1_000_000;
const LOG_LEAVES = quick ? 200_000 : 10_000_000;
const BUILD_BATCH = 50_000;
const PROOFS = quick ? 500 : 2_000;
const line = (o: object) => console.log(JSON.stringify(o));
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const p = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3);
};

// Realistic batch leaves (~250 B), made fast: one encoded BatchLeaf body as a template, each leaf
// with its own seq (a varint of fixed width: SEQ_BASE + i stays 6 bytes) and its own digest bytes.
const SEQ_BASE = 2 ** 35;
const varint = (n: number): Buffer => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return Buffer.from(out);
};
const template = Buffer.from(toBinary(BatchLeafSchema, create(BatchLeafSchema, {
  providerId: 'provider-01', seq: BigInt(SEQ_BASE), digest: new Uint8Array(32), recordCount: 5_000, retractionCount: 12,
  signature: `eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il0sImtpZCI6InByb3ZpZGVyLTAxIn0..${randomBytes(64).toString('base64url')}`,
})));
const seqAt = template.indexOf(Buffer.concat([Buffer.of(0x10), varint(SEQ_BASE)])) + 1;
const digestAt = template.indexOf(Buffer.alloc(32));
const entries = (from: number, n: number): LogEntryInput[] =>
  Array.from({ length: n }, (_, i) => {
    const body = Buffer.from(template);
    varint(SEQ_BASE + from + i).copy(body, seqAt);
    body.writeUInt32BE(from + i, digestAt);
    body.writeUInt32BE((0x9e3779b9 ^ (from + i)) >>> 0, digestAt + 28);
    return { kind: BATCH_LEAF_KIND, ref: `provider-01#${SEQ_BASE + from + i}`, entry: body };
  });

// The template really yields distinct, decodable batch leaves.
const probe = batchOfLeaf(decodeLogLeaf(encodeLogLeaf(entries(41, 1)[0]!), 'probe'), 'probe')!;
if (probe.seq !== BigInt(SEQ_BASE + 41) || probe.digest.length !== 32) throw new Error('bench leaf template is broken');

const pg = await benchPostgres('bench-log');
const dbUrl = pg.database;
const connect = (url: string): Sql => postgres(url, { max: 4, onnotice: () => undefined, types: { bigint: postgres.BigInt } });

// 1. Append throughput, and its baselines on the same bytes.
const appendSql = connect(await dbUrl('bench_log_append'));
await migrate(appendSql);
const appendLog = new TransparencyLog(appendSql);
const batches: LogEntryInput[][] = [];
for (let i = 0; i < APPEND_LEAVES; i += APPEND_BATCH) batches.push(entries(i, APPEND_BATCH));
let t = performance.now();
for (const b of batches) await appendLog.append(b);
const appendMs = performance.now() - t;
line({ step: 'append', leaves: APPEND_LEAVES, seconds: +(appendMs / 1000).toFixed(2), leaves_per_s: rate(APPEND_LEAVES, appendMs) });

const leaves = batches.flat().map((e) => encodeLogLeaf(e));
await appendSql`CREATE TABLE raw_leaves (idx bigint, leaf bytea)`;
await appendSql`ALTER TABLE raw_leaves ALTER COLUMN leaf SET STORAGE EXTERNAL`;
const payloads: Buffer[] = [];
for (let i = 0; i < leaves.length; i += APPEND_BATCH) {
  const w = new BinaryCopyWriter(APPEND_BATCH * 300);
  for (let j = i; j < i + APPEND_BATCH; j++) w.row([{ t: 'int8', v: BigInt(j) }, { t: 'bytea', v: leaves[j]! }]);
  payloads.push(w.finish());
}
t = performance.now();
for (const payload of payloads) await appendSql.begin((tx) => copyBinary(tx, 'raw_leaves', ['idx', 'leaf'], payload));
const copyMs = performance.now() - t;
t = performance.now();
let acc: Uint8Array = new Uint8Array(32);
for (const l of leaves) acc = hashChildren(acc, hashLeaf(l));
const shaMs = performance.now() - t;
line({ step: 'append baselines', copy_leaves_per_s: rate(APPEND_LEAVES, copyMs), sha256_leaves_per_s: rate(APPEND_LEAVES, shaMs) });
await appendSql.end();

// 2 and 3. A consortium node whose log is built through its own log part; the witness catches up on it.
const fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'reg', role: 'regulator' }]);
const c1 = await startInProcess(fed, 'c1', { replication_interval_ms: 600_000 });
const part = c1.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART)!;
const build = async (to: number) => {
  const started = performance.now();
  const from = await part.log.size();
  for (let i = from; i < to; i += BUILD_BATCH) await part.log.append(entries(i, Math.min(BUILD_BATCH, to - i)));
  await part.publisher.flush();
  const ms = performance.now() - started;
  line({ step: 'build', from, to, seconds: +(ms / 1000).toFixed(1), leaves_per_s: rate(to - from, ms) });
};
await build(WITNESS_LEAVES);

const regKey = (await import('../../src/crypto/keys.js')).readNodeKey;
const reg = await regKey(`${fed.dirs.reg}/key.jwk`);
const self = { id: 'reg', key: reg.privateKey };
const peer = { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` };
const { Membership } = await import('../../src/federation/membership/membership.js');
const membership = await Membership.load(`${fed.dirs.reg}/manifest.json`);
const witnessSql = connect(await dbUrl('bench_log_witness'));
await migrate(witnessSql);
const witness = new Witness({ self, sql: witnessSql, membership, logger: createLogger({ bench: 'log' }, { level: 'warn' }), peers: () => [peer] });
t = performance.now();
const round = await witness.round();
const witnessMs = performance.now() - t;
witness.close();
if (round.logs.c1 !== WITNESS_LEAVES) throw new Error(`witness ended at ${JSON.stringify(round.logs)}, expected c1: ${WITNESS_LEAVES}`);
const client = new LogClient(self, peer);
t = performance.now();
let streamed = 0;
for await (const chunk of client.entries(0, WITNESS_LEAVES)) streamed += chunk.leaves.length;
const streamMs = performance.now() - t;
line({ step: 'witness', leaves: WITNESS_LEAVES, seconds: +(witnessMs / 1000).toFixed(2), witness_leaves_per_s: rate(WITNESS_LEAVES, witnessMs), stream_only_leaves_per_s: rate(streamed, streamMs) });
await witnessSql.end();

if (LOG_LEAVES > WITNESS_LEAVES) await build(LOG_LEAVES);
const size = (await client.treeHead()).head.size;
const timed = async (n: number, f: (i: number) => Promise<unknown>) => {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f(i);
    ms.push(performance.now() - s);
  }
  return ms;
};
// Fresh random indices for every series, so none reads what another just brought into cache.
const random = () => Math.floor(Math.random() * size);
await timed(50, () => client.inclusionProof(random(), size)); // warm-up: connections, JIT
const grpcMs = await timed(PROOFS, () => client.inclusionProof(random(), size));
const dbMs = await timed(PROOFS, () => part.log.inclusionProof(random(), size));
const headMs = await timed(PROOFS, () => client.treeHead());
const selectMs = await timed(PROOFS, () => c1.db.sql`SELECT hashes FROM merkle_tiles WHERE log_id = '' AND level = 0 AND idx = ${Math.floor(random() / 256)}`);
line({ step: 'inclusion', size, proofs: PROOFS, grpc_p50_ms: p(grpcMs, 0.5), grpc_p99_ms: p(grpcMs, 0.99), db_p50_ms: p(dbMs, 0.5), db_p99_ms: p(dbMs, 0.99), get_tree_head_p50_ms: p(headMs, 0.5), get_tree_head_p99_ms: p(headMs, 0.99), select_tile_p99_ms: p(selectMs, 0.99) });
client.close();
await c1.stop();
await pg.close();

line({
  bench: 'log',
  leaves_per_s: rate(APPEND_LEAVES, appendMs),
  copy_leaves_per_s: rate(APPEND_LEAVES, copyMs),
  sha256_leaves_per_s: rate(APPEND_LEAVES, shaMs),
  log_size: size,
  inclusion_p99_ms: p(grpcMs, 0.99),
  inclusion_p50_ms: p(grpcMs, 0.5),
  inclusion_db_p99_ms: p(dbMs, 0.99),
  get_tree_head_p50_ms: p(headMs, 0.5),
  get_tree_head_p99_ms: p(headMs, 0.99),
  select_tile_p99_ms: p(selectMs, 0.99),
  witness_leaves_per_s: rate(WITNESS_LEAVES, witnessMs),
  stream_only_leaves_per_s: rate(streamed, streamMs),
});
