import { spawn } from 'node:child_process';
import { createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { Membership } from '../../src/federation/membership/membership.js';
import { initiatePsi } from '../../src/investigate/psi/node/initiate.js';
import { OfferStore } from '../../src/investigate/psi/node/offers.js';
import { modeOf } from '../../src/investigate/psi/protocol/modes.js';
import { openEmbeddedServer } from '../../src/store/embedded.js';
import { CLI, createFederation } from '../support/federation.js';

/**
 * psi: bilateral PSI between two provider nodes on this machine.
 *
 *   npm run bench -- psi [--quick]
 *
 * Provider pb runs as its own process (`cordon node start`) with an offer
 * staged for pa; this process is pa's `cordon psi` (the initiator), mode one.
 * Both sets hold N = 1,000,000 elements (quick: 20,000), 10% shared. Both
 * parties share the machine's two cores, each using one worker thread per
 * core. `elements_per_s` = (|X| + |Y|) / seconds: each party hashes and
 * blinds its own set and blinds the other's, so this is each party's rate.
 *
 * Baseline in the same run: @openmined/psi.js (BoringSSL P-256 in
 * WebAssembly, one thread, both roles in this process, no network) on
 * PSIJS_N × PSIJS_N elements of the same sets: at its speed, 1M × 1M would
 * take about an hour, so its rate is measured on a subset. Null when the
 * package does not load. Informative: one core's raw node:crypto X25519 rate
 * and the machine's load average, since other jobs on the same two cores
 * slow every figure here.
 */
const quick = process.argv.includes('--quick');
const N = quick ? 20_000 : 1_000_000;
const SHARED = N / 10;
const PSIJS_N = quick ? 1_000 : 20_000;
const started = performance.now();
const elapsed = () => Math.round((performance.now() - started) / 100) / 10;
const line = (o: object) => console.log(JSON.stringify({ bench: 'psi', elapsed_s: elapsed(), ...o }));

// ------------------------------------------------------------------ the sets

const X = Array.from({ length: N }, (_, i) => `user${i}@example.com`);
const Y = Array.from({ length: N }, (_, i) => `user${i + N - SHARED}@example.com`);

// ------------------------------------------------------------------ federation

const dir = resolve('tmp/bench-psi');
await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true, mode: 0o755 });
const server = process.env.DATABASE_URL ? undefined : await openEmbeddedServer(dir);
const baseUrl = process.env.DATABASE_URL ?? server!.url;
process.env.CORDON_TEST_DATABASE_URL = baseUrl;
const fed = await createFederation([
  { id: 'c1', role: 'consortium' },
  { id: 'pa', role: 'provider' },
  { id: 'pb', role: 'provider' },
]);
const nodes = ['c1', 'pb'].map((id) =>
  spawn(process.execPath, [CLI, 'node', 'start', '--node', fed.dirs[id]!], { env: { ...process.env, CORDON_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] }),
);
await Promise.all(nodes.map((child) => new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && ok()))));

const yFile = join(dir, 'pb-set.txt');
await writeFile(yFile, Y.join('\n') + '\n');
const pb = await loadConfig(fed.dirs.pb!);
const now = Date.now();
await new OfferStore(pb.data_dir).put({ peer: 'pa', mode: 'one', kind: 'raw', set_file: yFile, created_ms: now, expires_ms: now + 3600_000 });
const pa = await loadConfig(fed.dirs.pa!);
const key = await readNodeKey(pa.key_file);
const membership = await Membership.load(pa.manifest_file);
const loadBefore = loadavg()[0]!;
line({ step: 'ready', set_size: N, threads_per_party: availableParallelism(), load_avg_1m: loadBefore });

// ------------------------------------------------------------------ measured: one session, N × N

const t0 = performance.now();
let lastReport = 0;
const { outcome, recorded } = await initiatePsi({
  self: { id: 'pa', key: key.privateKey },
  membership,
  peerId: 'pb',
  set: { kind: 'raw', elements: X },
  mode: modeOf('one'),
  onProgress: (p) => {
    if (p.list === 'own' && p.done - lastReport >= N / 10) {
      lastReport = p.done;
      line({ step: 'progress', own_sent: p.done });
    }
  },
});
const seconds = (performance.now() - t0) / 1000;
if (outcome.intersectionSize !== SHARED) throw new Error(`wrong intersection: ${outcome.intersectionSize}, expected ${SHARED}`);
if (!recorded.some((r) => r.logIndex !== undefined)) throw new Error(`summary not recorded: ${JSON.stringify(recorded)}`);
const elementsPerS = (2 * N) / seconds;
line({ step: 'session', seconds: +seconds.toFixed(2), intersection: outcome.intersectionSize, elements_per_s: Math.round(elementsPerS) });
for (const child of nodes) child.kill('SIGTERM');
await Promise.all(nodes.map((child) => new Promise((r) => child.on('exit', r))));
await server?.stop();

// ------------------------------------------------------------------ baseline: @openmined/psi.js

async function psiJs(): Promise<number | null> {
  let psi;
  try {
    const PSI = (await import('@openmined/psi.js')).default as unknown as () => Promise<any>;
    psi = await PSI();
  } catch (err) {
    line({ step: 'psi.js unavailable', error: (err as Error).message });
    return null;
  }
  const xs = X.slice(0, PSIJS_N);
  const ys = Y.slice(0, PSIJS_N);
  const t = performance.now();
  const serverSide = psi.server.createWithNewKey(true);
  const clientSide = psi.client.createWithNewKey(true);
  const setup = serverSide.createSetupMessage(0, -1, ys, psi.dataStructure.Raw);
  const response = serverSide.processRequest(clientSide.createRequest(xs));
  clientSide.getIntersection(setup, response);
  const s = (performance.now() - t) / 1000;
  serverSide.delete();
  clientSide.delete();
  line({ step: 'psi.js', set_size: PSIJS_N, seconds: +s.toFixed(2) });
  return (2 * PSIJS_N) / s;
}
const psijsPerS = await psiJs();

// Informative: one core, node:crypto X25519 with a JWK import per point (the cost floor per blinding).
const priv = generateKeyPairSync('x25519').privateKey;
const points = Array.from({ length: 5000 }, () => randomBytes(32).toString('base64url'));
const t1 = performance.now();
for (const x of points) diffieHellman({ privateKey: priv, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' }) });
const x25519PerS = points.length / ((performance.now() - t1) / 1000);

console.log(
  JSON.stringify({
    bench: 'psi',
    set_size: N,
    seconds_1m_x_1m: quick ? null : +seconds.toFixed(2),
    seconds: +seconds.toFixed(2),
    elements_per_s: Math.round(elementsPerS),
    psijs_elements_per_s: psijsPerS === null ? null : Math.round(psijsPerS),
    psijs_set_size: PSIJS_N,
    ratio_to_psijs: psijsPerS === null ? null : +(elementsPerS / psijsPerS).toFixed(1),
    x25519_blind_per_s_one_core: Math.round(x25519PerS),
    load_avg_1m_before: +loadBefore.toFixed(2),
    load_avg_1m_after: +loadavg()[0]!.toFixed(2),
  }),
);
