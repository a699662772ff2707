import { Oprf as VoprfTs, VOPRFClient, VOPRFServer, generatePublicKey, randomPrivateKey } from '@cloudflare/voprf-ts';
import { CryptoNoble } from '@cloudflare/voprf-ts/crypto-noble';
import { ristretto255_oprf as noble } from '@noble/curves/ed25519.js';
import type { Element, Scalar } from '../../src/crypto/oprf/group.js';
import { Oprf } from '../../src/crypto/oprf/oprf.js';
import { EvaluationPool } from '../../src/crypto/oprf/pool/evaluation-pool.js';
import { evaluatePolynomial, randomPolynomial } from '../../src/crypto/oprf/shamir.js';
import { OprfMode } from '../../src/crypto/oprf/suite.js';
import { unblindThreshold, type PartialEvaluation } from '../../src/crypto/oprf/threshold.js';
import { encodeTokenInput, TOKEN_BYTES } from '../../src/crypto/prf/token-prf.js';

/**
 * oprf: oblivious tokenization, ristretto255-SHA512 VOPRF (RFC 9497).
 *
 *   node --import tsx test/bench/oprf.ts [--quick]
 *
 * Measured, single thread, over identifier-token inputs (encodeTokenInput of
 * synthetic emails):
 *   - server: what a key node does per Evaluate call: k_x · B_i for a batch of
 *     blinded elements plus the batched DLEQ proof (ComputeCompositesFast,
 *     nonce, challenge), in batches of BATCH, with its key share, all in
 *     libsodium (src/crypto/oprf) — through the node's EvaluationPool (worker
 *     threads, one per core), and on one thread for comparison;
 *   - client: what a provider does per token with t = 2 holders, network
 *     excluded: hash to group and blind, check both holders' batch proofs,
 *     combine with Lagrange coefficients and unblind, finalize;
 *   - peers, same operations, same batch size: @cloudflare/voprf-ts (on its
 *     @noble/curves provider, the one that has ristretto255) and @noble/curves'
 *     own RFC 9497 implementation, each as a single VOPRF server (no threshold,
 *     so less client work than ours).
 * Rounds interleave the implementations; figures are medians over rounds.
 * Prints JSON progress lines, then one flat summary object last.
 */
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const OURS = quick ? 1_024 : 8_192;
const PEERS = quick ? 64 : 256;
const BATCH = 256;
const THRESHOLD = 2;

const started = performance.now();
const elapsed = () => Math.round((performance.now() - started) / 100) / 10;
const progress = (fields: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'oprf', elapsed_s: elapsed(), ...fields }));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
const rate = (count: number, ms: number) => Math.round(count / (ms / 1000));

const inputs = (n: number, salt: string) => Array.from({ length: n }, (_, i) => encodeTokenInput(1, 'email', `user${i}.${salt}@example.org`));

// ------------------------------------------------------------------ ours

const oprf = await Oprf.load(OprfMode.VOPRF);
const group = oprf.group;
const polynomial = randomPolynomial(group, THRESHOLD);
const holders = [1, 2, 3].map((x) => {
  const share = evaluatePolynomial(group, polynomial, x);
  return { index: x, share, publicShare: group.mulBase(share) };
});

const pool = new EvaluationPool(oprf);

function oursServerOneThread(blinded: Element[]): number {
  const t = performance.now();
  for (const batch of chunks(blinded, BATCH)) oprf.blindEvaluate(holders[0]!.share, holders[0]!.publicShare, batch);
  return rate(blinded.length, performance.now() - t);
}

/** As a node serves concurrent Evaluate calls: every batch handed to the pool at once. */
async function oursServer(blinded: Element[]): Promise<number> {
  const t = performance.now();
  await Promise.all(chunks(blinded, BATCH).map((batch) => pool.evaluate(holders[0]!.share, holders[0]!.publicShare, batch)));
  return rate(blinded.length, performance.now() - t);
}

/** Client work per token with two holders; their evaluations are made between the timed phases. */
function oursClient(xs: Uint8Array[]): number {
  let clientMs = 0;
  const tokens: Uint8Array[] = [];
  for (const batch of chunks(xs, BATCH)) {
    let t = performance.now();
    const blinded = batch.map((x) => oprf.blind(x));
    const elements = blinded.map((b) => b.blindedElement);
    clientMs += performance.now() - t;
    const answers = holders.slice(0, THRESHOLD).map((h) => ({ h, ...oprf.blindEvaluate(h.share, h.publicShare, elements) }));
    t = performance.now();
    const partials: PartialEvaluation[] = answers.map((a) => {
      if (!oprf.verify(a.h.publicShare, elements, a.evaluatedElements, a.proof!)) throw new Error('bench: proof failed');
      return { index: a.h.index, evaluatedElements: a.evaluatedElements };
    });
    const unblinded = unblindThreshold(oprf, blinded.map((b) => b.blind), partials);
    batch.forEach((x, i) => tokens.push(oprf.finalizeUnblinded(x, unblinded[i]!).subarray(0, TOKEN_BYTES)));
    clientMs += performance.now() - t;
  }
  if (tokens.length !== xs.length) throw new Error('bench: lost tokens');
  return rate(xs.length, clientMs);
}

// ------------------------------------------------------------------ @noble/curves

const nobleKeys = noble.voprf.generateKeyPair();

function nobleServer(blinded: Uint8Array[]): number {
  const t = performance.now();
  for (const batch of chunks(blinded, BATCH)) noble.voprf.blindEvaluateBatch(nobleKeys.secretKey, nobleKeys.publicKey, batch);
  return rate(blinded.length, performance.now() - t);
}

function nobleClient(xs: Uint8Array[]): number {
  let clientMs = 0;
  for (const batch of chunks(xs, BATCH)) {
    let t = performance.now();
    const blinded = batch.map((x) => noble.voprf.blind(x));
    clientMs += performance.now() - t;
    const evaluation = noble.voprf.blindEvaluateBatch(nobleKeys.secretKey, nobleKeys.publicKey, blinded.map((b) => b.blinded));
    t = performance.now();
    noble.voprf.finalizeBatch(batch.map((input, i) => ({ input, blind: blinded[i]!.blind, evaluated: evaluation.evaluated[i]!, blinded: blinded[i]!.blinded })), nobleKeys.publicKey, evaluation.proof);
    clientMs += performance.now() - t;
  }
  return rate(xs.length, clientMs);
}

// ------------------------------------------------------------------ @cloudflare/voprf-ts

const suite = VoprfTs.Suite.RISTRETTO255_SHA512;
const voprfKey = await randomPrivateKey(suite, CryptoNoble);
const voprfServer = new VOPRFServer(suite, voprfKey, CryptoNoble);
const voprfClient = new VOPRFClient(suite, generatePublicKey(suite, voprfKey, CryptoNoble), CryptoNoble);

async function voprfTsServer(requests: Awaited<ReturnType<VOPRFClient['blind']>>[1][], count: number): Promise<number> {
  const t = performance.now();
  for (const req of requests) await voprfServer.blindEvaluate(req);
  return rate(count, performance.now() - t);
}

async function voprfTsClient(xs: Uint8Array[]): Promise<number> {
  let clientMs = 0;
  for (const batch of chunks(xs, BATCH)) {
    let t = performance.now();
    const [finData, req] = await voprfClient.blind(batch);
    clientMs += performance.now() - t;
    const evaluation = await voprfServer.blindEvaluate(req);
    t = performance.now();
    await voprfClient.finalize(finData, evaluation);
    clientMs += performance.now() - t;
  }
  return rate(xs.length, clientMs);
}

// ------------------------------------------------------------------ rounds

await pool.evaluate(holders[0]!.share, holders[0]!.publicShare, inputs(BATCH, 'warm').map((x) => oprf.blind(x).blindedElement));
const rates: Record<string, number[]> = { server: [], server_one_thread: [], client: [], noble: [], noble_client: [], voprf_ts: [], voprf_ts_client: [] };
progress({ phase: 'setup', ours_per_round: OURS, peers_per_round: PEERS, batch: BATCH, threshold: THRESHOLD, holders: holders.length, pool_workers: pool.size });
for (let r = 0; r < ROUNDS; r++) {
  const ours = inputs(OURS, `r${r}`);
  const oursBlinded = ours.map((x) => oprf.blind(x).blindedElement);
  const peers = inputs(PEERS, `p${r}`);
  const nobleBlinded = peers.map((x) => noble.voprf.blind(x).blinded);
  const voprfRequests = await Promise.all(chunks(peers, BATCH).map(async (batch) => (await voprfClient.blind(batch))[1]));

  const round = {
    server_evals_per_s: await oursServer(oursBlinded),
    server_one_thread_evals_per_s: oursServerOneThread(oursBlinded),
    noble_evals_per_s: nobleServer(nobleBlinded),
    voprf_ts_evals_per_s: await voprfTsServer(voprfRequests, peers.length),
    client_tokens_per_s: oursClient(ours),
    noble_client_tokens_per_s: nobleClient(peers),
    voprf_ts_client_tokens_per_s: await voprfTsClient(peers),
  };
  rates.server!.push(round.server_evals_per_s);
  rates.server_one_thread!.push(round.server_one_thread_evals_per_s);
  rates.noble!.push(round.noble_evals_per_s);
  rates.voprf_ts!.push(round.voprf_ts_evals_per_s);
  rates.client!.push(round.client_tokens_per_s);
  rates.noble_client!.push(round.noble_client_tokens_per_s);
  rates.voprf_ts_client!.push(round.voprf_ts_client_tokens_per_s);
  progress({ phase: 'round', round: r + 1, ...round });
}

const server = median(rates.server!);
const nobleEvals = median(rates.noble!);
const voprfEvals = median(rates.voprf_ts!);
const bestPeer = Math.max(nobleEvals, voprfEvals);
console.log(JSON.stringify({
  bench: 'oprf',
  rounds: ROUNDS,
  batch: BATCH,
  threshold: THRESHOLD,
  server_evals_per_s: server,
  client_tokens_per_s: median(rates.client!),
  voprf_ts_evals_per_s: voprfEvals,
  noble_evals_per_s: nobleEvals,
  ratio_to_best_peer: Math.round((server / bestPeer) * 10) / 10,
  pool_workers: pool.size,
  server_one_thread_evals_per_s: median(rates.server_one_thread!),
  one_thread_ratio_to_best_peer: Math.round((median(rates.server_one_thread!) / bestPeer) * 10) / 10,
  noble_client_tokens_per_s: median(rates.noble_client!),
  voprf_ts_client_tokens_per_s: median(rates.voprf_ts_client!),
  client_ratio_to_best_peer: Math.round((median(rates.client!) / Math.max(median(rates.noble_client!), median(rates.voprf_ts_client!))) * 10) / 10,
}));
await pool.close();
