import { create } from '@bufbuild/protobuf';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedBatchSchema } from '../gen/cordon/v1/common_pb.js';
import { latestTreeHead } from '../audit/log-store.js';
import { listFindings } from '../audit/witness/findings-store.js';
import { errorMessage } from '../errors.js';
import { DEFAULT_MIN_ACCOUNTS, DEFAULT_MIN_PROMPTS } from '../fingerprint/template/miner.js';
import { PeerClient } from '../federation/client/peer-client.js';
import { freePort } from '../federation/node/free-port.js';
import { WITNESS_PART, type WitnessPart } from '../federation/node/parts/witness.js';
import type { RunningNode } from '../federation/node/start-node.js';
import { appendToChain } from '../federation/provider/outbox.js';
import type { DemoSummary } from './demo-summary.js';
import { layOutFederation, type NodePlan } from './federation-setup.js';
import { runDemoCase } from './demo-case.js';
import { explainScore, type ScoreRow } from './explain-score.js';
import { fileDemoReport } from './file-demo-report.js';
import { findPlanted } from './find-planted.js';
import { logContents } from './log-contents.js';
import { plantedTraffic } from './planted-traffic.js';
import { DEMO_TEMPLATE_MIN_PROMPTS, publishSuspects } from './publish-suspects.js';
import { describeRefusal } from './refusal.js';
import { startFederation } from './start-federation.js';
import { syntheticRecords } from './synthetic-records.js';
import { waitFor } from './wait-for.js';

/**
 * The whole story in one process tree (README "Try it"): two consortium
 * nodes, three providers and a regulator, each its own gRPC server and web
 * console on loopback with its own embedded PostgreSQL. Simulated traffic
 * with a planted cross-provider campaign → each provider's local detection →
 * publish → overlaps and campaigns → alerts → an investigation case the
 * other providers answer → a report filed with the regulator → the
 * regulator's witness verifying both logs.
 */
export interface DemoOptions {
  dir?: string;
  /** Background records (random tokens, no overlaps) the providers publish between them: the throughput figure. */
  records: number;
  /** Simulated usage: accounts and log lines across all providers. */
  accounts?: number;
  lines?: number;
  seed?: number;
  /**
   * Per node id, a database to use instead of the node's own embedded
   * PostgreSQL (tests share one server; starting six costs most of the demo's
   * start-up).
   */
  databaseUrls?: Record<string, string>;
  exit: boolean;
  say: (line: string) => void;
}

export type { DemoSummary } from './demo-summary.js';

/** A few thousand accounts: detection takes seconds per provider on a laptop, and the planted campaign is still a handful among them. */
const DEFAULT_ACCOUNTS = 1_500;
const DEFAULT_LINES = 30_000;
const DEFAULT_SEED = 7;
/** How long matching, alerts and the witness may take before the demo calls it a failure. */
const STEP_TIMEOUT_MS = 60_000;

const PROVIDERS = ['provider-a', 'provider-b', 'provider-c'] as const;
/** Providers publish to different consortium nodes; anti-entropy brings every batch everywhere. */
const PUBLISH_TO: Record<string, string> = { 'provider-a': 'consortium-1', 'provider-b': 'consortium-2', 'provider-c': 'consortium-1' };

/** Why the demo's figures sit below the benchmarks', said beside them. */
const SHARED_MACHINE = `6 nodes and their 6 databases share this machine's ${availableParallelism()} cores`;

const step = (say: (l: string) => void, n: number, text: string) => say(`\n[${n}] ${text}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function runDemo(opts: DemoOptions): Promise<{ summary: DemoSummary; root: string; nodes: RunningNode[]; stop: () => Promise<void> }> {
  const { say } = opts;
  const root = opts.dir ?? join(tmpdir(), `cordon-demo-${process.pid}`);
  const plan: NodePlan[] = [
    { id: 'consortium-1', role: 'consortium', org: 'Neutral Operator One', port: await freePort() },
    { id: 'consortium-2', role: 'consortium', org: 'Neutral Operator Two', port: await freePort() },
    { id: 'provider-a', role: 'provider', org: 'Lab A', port: await freePort() },
    { id: 'provider-b', role: 'provider', org: 'Lab B', port: await freePort() },
    { id: 'provider-c', role: 'provider', org: 'Lab C', port: await freePort() },
    { id: 'regulator', role: 'regulator', org: 'The Regulator', port: await freePort() },
  ];
  for (const p of plan) if (opts.databaseUrls?.[p.id]) p.databaseUrl = opts.databaseUrls[p.id];
  step(say, 1, `Creating ${plan.length} nodes in ${root}: keys, configs, a manifest signed by both founders (2 of 2), the token secret issued to each provider, the alert-id key to each matching node`);
  const { dirs } = await layOutFederation(root, plan, ['consortium-1', 'consortium-2'], 2);

  step(say, 2, `Starting every node on loopback, each with its own ${opts.databaseUrls ? 'database' : 'embedded PostgreSQL'} and web console`);
  const federation = await startFederation(plan, dirs, Object.fromEntries(PROVIDERS.map((p) => [p, PUBLISH_TO[p]!])));
  const { node, stop, consoles } = federation;
  for (const n of federation.nodes) say(`    ${n.id.padEnd(13)} ${n.role.padEnd(10)} grpc ${n.grpc}`);
  // The consoles are usable from here on: the story below shows up in them as it happens.
  say(`    Consoles: open one now and watch the story arrive (the URL logs you in; the regulator's is read-only; ${opts.exit ? 'with --exit they close after the summary' : 'they stay up until Ctrl-C'}):`);
  for (const n of federation.nodes) say(`      ${n.id.padEnd(13)} ${n.console}`);

  try {
    step(say, 3, 'Simulating two weeks of usage at three providers, with one distillation campaign planted across all of them');
    const traffic = await plantedTraffic(join(root, 'traffic'), { providers: PROVIDERS.length, seed: opts.seed ?? DEFAULT_SEED, accounts: opts.accounts ?? DEFAULT_ACCOUNTS, lines: opts.lines ?? DEFAULT_LINES });
    const simToNode = new Map(traffic.providers.map((t, i) => [t.simName, PROVIDERS[i]!]));
    for (const [i, t] of traffic.providers.entries()) say(`    ${PROVIDERS[i]}: ${fmt(t.lines)} log lines from ${fmt(t.accounts)} accounts`);
    const planted = traffic.planted;
    say(`    planted: ${planted.id} (${planted.type}), ${planted.accounts.length} accounts at ${planted.providers.map((p) => simToNode.get(p)).join(', ')}  [${traffic.simulateSeconds.toFixed(1)} s]`);

    step(say, 4, 'Each provider runs detection over its own logs only');
    const plantedSet = new Set(planted.accounts);
    for (const [i, t] of traffic.providers.entries()) {
      say(`    ${PROVIDERS[i]}: ${t.suspects} suspects  [${t.detectSeconds.toFixed(1)} s]`);
    }

    const bulkEach = Math.ceil(opts.records / PROVIDERS.length);
    step(say, 5, `Every provider publishes its standing watchlist: ${fmt(bulkEach * PROVIDERS.length)} tokenized records, signed and chained`);
    const t0 = performance.now();
    await Promise.all(PROVIDERS.map(async (id, i) => {
      const n = node(id);
      await appendToChain(n.db.sql, id, n.key.privateKey, { records: syntheticRecords(bulkEach, `w${i}`), retractions: [] });
      await n.flush();
    }));
    const publishS = (performance.now() - t0) / 1000;
    const publishRate = (bulkEach * PROVIDERS.length) / publishS;
    say(`    signed, sent, verified and committed in ${publishS.toFixed(2)} s: ${fmt(publishRate)} records/s`);
    say(`    ${SHARED_MACHINE}; one node's throughput is measured alone by \`npm run bench -- match\` (README: Matching, campaigns and alerts)`);
    const t1 = performance.now();
    const expected = new Map<string, bigint>();
    for (const p of PROVIDERS) {
      const [row] = await node(p).db.sql<{ seq: bigint }[]>`SELECT max(seq) AS seq FROM outbox`;
      expected.set(p, row!.seq);
    }
    for (const id of ['consortium-1', 'consortium-2', 'regulator']) {
      await waitFor(`${id} to hold every chain`, STEP_TIMEOUT_MS, async () => {
        const heads = await node(id).db.sql<{ provider_id: string; seq: bigint }[]>`SELECT provider_id, seq FROM chain_heads`;
        return [...expected].every(([p, s]) => heads.some((h) => h.provider_id === p && h.seq === s));
      });
    }
    const convergedMs = performance.now() - t1;
    say(`    anti-entropy: both consortium nodes and the regulator hold all three chains ${fmt(convergedMs)} ms later`);

    step(say, 6, 'Providers publish their suspects: raw identifiers stay home, only keyed tokens and template signatures leave');
    const publishedAt = new Map<string, number>();
    const published = await Promise.all(PROVIDERS.map(async (id, i) => {
      publishedAt.set(id, Date.now());
      return publishSuspects(node(id), traffic.providers[i]!.suspectsFile);
    }));
    for (const [i, p] of published.entries()) {
      const why = p.templates === 0 ? `: no prompt template was seen from ${DEFAULT_MIN_ACCOUNTS} of its suspects` : '';
      say(`    ${PROVIDERS[i]}: ${p.records} records (${p.tokens} tokens from ${traffic.providers[i]!.suspects} suspects, ${p.templates} template signature${p.templates === 1 ? '' : 's'} from their ${p.prompts} sample prompts${why})`);
    }
    say(`    a template leaves only once seen from ${DEFAULT_MIN_ACCOUNTS} accounts; a node also wants ${DEFAULT_MIN_PROMPTS} prompts, the demo ${DEMO_TEMPLATE_MIN_PROMPTS} (its campaign has 2–3 accounts per provider, one sample prompt per template each)`);

    step(say, 7, 'Consortium nodes match the overlaps into campaigns and alert each provider about its own records');
    const plantedAt = planted.providers.map((p) => simToNode.get(p)!);
    const latency: Record<string, number> = {};
    await waitFor('an overlap alert at every provider the campaign hit', STEP_TIMEOUT_MS, async () => {
      for (const id of plantedAt) {
        if (latency[id] !== undefined) continue;
        const [row] = await node(id).db.sql<{ at: Date | null }[]>`SELECT min(received_at) AS at FROM alert_inbox`;
        if (row?.at) latency[id] = Math.max(0, row.at.getTime() - publishedAt.get(id)!);
      }
      return plantedAt.every((id) => latency[id] !== undefined);
    });
    for (const id of plantedAt) say(`    ${id}: first alert ${fmt(latency[id]!)} ms after it published`);
    say(`    latency here is end to end (publish, replicate, match, stream the alert, store it) and ${SHARED_MACHINE}; \`npm run bench -- match\` measures one node's`);
    // Found when every provider it hit sees its planted accounts in one campaign, and both
    // consortium nodes hold that campaign whole (each matches what it accepted and replicated).
    const { findings, operatorView } = await waitFor('the planted campaign to be found at every provider it hit', STEP_TIMEOUT_MS, async () => {
      const f = await findPlanted(plantedAt.map(node), plantedSet);
      const ids = new Set(f.map((x) => x.campaign));
      if (!f.every((x) => x.campaign && x.plantedAccounts > 0) || ids.size !== 1) return undefined;
      const views = await Promise.all(['consortium-1', 'consortium-2'].map(async (c) => (await node(c).db.sql<(ScoreRow & { record_count: number })[]>`
        SELECT providers, record_count, account_count, token_kinds, max_similarity, mean_provider_score, confirmed, false_positive, score
        FROM campaigns WHERE campaign_id = ${f[0]!.campaign!} AND status = 'active'`)[0]));
      return views.every((v) => v && plantedAt.every((p) => v.providers.includes(p))) ? { findings: f, operatorView: views[0] } : undefined;
    });
    const campaignId = findings[0]!.campaign!;
    const scoreExplained = explainScore(operatorView!);
    say(`    campaign ${campaignId}: ${operatorView!.record_count} records at ${operatorView!.providers.join(', ')}, score ${operatorView!.score.toFixed(2)}`);
    say(`    ${scoreExplained}`);
    for (const f of findings) say(`    ${f.provider} sees its ${f.ownRecords} records in it: ${f.plantedAccounts} of its planted accounts`);
    const alertCounts: Record<string, number> = {};
    for (const id of PROVIDERS) {
      const [{ n }] = (await node(id).db.sql`SELECT count(*)::int AS n FROM alert_inbox`) as unknown as [{ n: number }];
      alertCounts[id] = n;
    }

    step(say, 8, `${plantedAt[0]} opens an investigation case on the campaign's tokens; the providers holding them answer`);
    const caseAt = { id: PUBLISH_TO[plantedAt[0]!]!, address: node(PUBLISH_TO[plantedAt[0]!]!).address };
    const demoCase = await runDemoCase(node(plantedAt[0]!), plantedAt.slice(1).map(node), caseAt, campaignId);
    say(`    case ${demoCase.id} at ${caseAt.id}: asked ${demoCase.asked.join(', ') || 'nobody'}; answered by ${demoCase.answeredBy.join(', ') || 'nobody'}`);
    say(`    ${plantedAt[0]} reads ${demoCase.answersVerified} signed answers (signatures verified); the case is ${demoCase.status}`);

    step(say, 9, `${plantedAt[0]} files a report about the campaign with the regulator`);
    const report = await fileDemoReport(node(plantedAt[0]!), campaignId);
    say(`    report ${report.id.slice(0, 16)}… with ${report.indicators} indicator tokens; receipt signed by ${report.regulator}`);
    for (const r of report.logged) {
      // Leaves count from 0, and each consortium node keeps its own log: the case was logged only where it was opened.
      const before = r.error || r.leafIndex === undefined ? '' : ` (after ${await logContents(node(r.node), Number(r.leafIndex))}; leaves count from 0, and each node keeps its own log)`;
      say(`    ${r.node}: ${r.error ? `NOT logged (${r.error})` : `logged the filing at leaf ${r.leafIndex}${before}`}`);
    }
    const [held] = await node('regulator').db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM filed_reports WHERE campaign_ref = ${campaignId}`;

    step(say, 10, 'The regulator\'s witness checks both transparency logs: consistency proofs, chain heads across nodes, equivocation');
    const witness = node('regulator').part<WitnessPart>(WITNESS_PART)!;
    const want: Record<string, number> = {};
    for (const c of ['consortium-1', 'consortium-2']) {
      const leaf = report.logged.find((r) => r.node === c)?.leafIndex;
      // Wait until the node's signed head covers the report's leaf: then the witness checks a log that includes it.
      want[c] = await waitFor(`${c}'s signed head to cover the report`, STEP_TIMEOUT_MS, async () => {
        const h = await latestTreeHead(node(c).db.sql, '');
        return h && (leaf === undefined || h.size > Number(leaf)) ? h.size : undefined;
      });
    }
    const round = await waitFor('the witness to accept both logs', STEP_TIMEOUT_MS, async () => {
      const r = await witness.round();
      return Object.entries(want).every(([c, size]) => (r.logs[c] ?? 0) >= size) ? r : undefined;
    });
    const witnessFindings = await listFindings(node('regulator').db.sql);
    for (const [c, size] of Object.entries(round.logs)) say(`    ${c}: head of ${fmt(size)} entries accepted, consistent with every earlier head`);
    say(`    findings: ${witnessFindings.length === 0 ? 'none' : witnessFindings.map((f) => `${f.kind} ${f.subject}`).join('; ')}`);

    step(say, 11, 'Tampering and writes are refused');
    const a = node('provider-a');
    const [batch1] = await a.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 1`;
    const tampered = Buffer.from(batch1!.batch);
    tampered[100] = tampered[100]! ^ 1;
    const relay = new PeerClient({ id: 'consortium-2', key: node('consortium-2').key.privateKey }, { id: 'consortium-1', address: node('consortium-1').address });
    const tamperedResult = await relay.publish(create(SignedBatchSchema, { batch: tampered, signature: batch1!.signature })).then(() => 'accepted (!)', errorMessage);
    relay.close();
    say(`    a relay flips one byte of a signed batch: ${tamperedResult}`);
    const reg = new PeerClient({ id: 'regulator', key: node('regulator').key.privateKey }, { id: 'consortium-1', address: node('consortium-1').address });
    const regulatorWrite = await reg.publish(create(SignedBatchSchema, { batch: batch1!.batch, signature: batch1!.signature })).then(() => 'accepted (!)', describeRefusal);
    reg.close();
    say(`    the regulator tries to publish a batch: ${regulatorWrite}`);
    const regulatorConsole = new URL(consoles.regulator!);
    const consoleWrite = await fetch(new URL('/api/campaigns', regulatorConsole), {
      method: 'POST', headers: { authorization: `Bearer ${regulatorConsole.searchParams.get('token')}` },
    });
    say(`    a write to the regulator's console API: HTTP ${consoleWrite.status}`);

    const summary: DemoSummary = {
      providers: [...PROVIDERS],
      records_published: bulkEach * PROVIDERS.length + published.reduce((s, p) => s + p.records, 0),
      publish_records_per_s: Math.round(publishRate),
      replication_converged_ms: Math.round(convergedMs),
      alert_latency_ms: Math.max(...Object.values(latency)),
      template_signatures: Object.fromEntries(PROVIDERS.map((id, i) => [id, published[i]!.templates])),
      planted_campaign: {
        simulated_id: planted.id, kind: planted.type, accounts: planted.accounts.length,
        providers: plantedAt,
        found_as: campaignId,
        found_at_providers: operatorView!.providers,
        planted_accounts_found: findings.reduce((s, f) => s + f.plantedAccounts, 0),
        score: operatorView!.score,
        score_explained: scoreExplained,
      },
      alerts_received: alertCounts,
      case: { id: demoCase.id, asked: demoCase.asked, answered_by: demoCase.answeredBy, status: demoCase.status, answers_verified: demoCase.answersVerified },
      report: { id: report.id, regulator: report.regulator, received: report.receivedMs > 0, held_by_regulator: held!.n, logged_by: report.logged.filter((r) => !r.error).map((r) => r.node) },
      log_verified: { logs: round.logs, findings: witnessFindings.length, finding_details: witnessFindings.map((f) => `${f.kind}: ${f.detail}`), verified: witnessFindings.length === 0 && Object.keys(want).every((c) => (round.logs[c] ?? 0) >= want[c]!) },
      tampered_batch: tamperedResult,
      regulator_write: regulatorWrite,
      regulator_console_write: consoleWrite.status,
      nodes: Object.fromEntries(federation.nodes.map((n) => [n.id, n.grpc])),
      consoles,
    };
    return { summary, root, nodes: federation.nodes.map((n) => n.node), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
