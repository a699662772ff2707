import { CordonError, errorMessage } from '../../../errors.js';
import { AcceptanceTimes } from '../../../ops/metrics/acceptance-times.js';
import { NodeMetrics } from '../../../ops/metrics/node-metrics.js';
import { replicationLag } from '../../../ops/metrics/replication-lag.js';
import { listHeads } from '../../../store/chain-store.js';
import { utcDay } from '../../oprf/budget/daily-budget.js';
import type { NodeContext, NodePart, NodePartFactory } from '../node-part.js';
import { FEDERATION_PART, type FederationPart } from './federation.js';
import { INVESTIGATIONS_PART } from './investigations.js';
import { MATCHING_PART, type MatchingPart } from './matching.js';
import { OPRF_PART } from './oprf.js';
import { REPLICATION_PART, type ReplicationPart } from './replication.js';
import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from './transparency-log.js';

export const METRICS_PART = 'metrics';
export const METRICS_PATH = '/metrics';

export interface MetricsPart extends NodePart {
  readonly metrics: NodeMetrics;
}

/**
 * Every node with an HTTP listener (`http_listen`): Prometheus metrics on
 * GET /metrics. All instrumentation lives here: the part subscribes to the
 * hooks the other parts already offer (RPC pipeline, chain acceptance and
 * refusals, matcher commits, replication rounds) and reads stored sizes at
 * scrape time, so core code carries no counters. Listed last in NODE_PARTS,
 * so every part it observes has started before it.
 */
export const metricsPart: NodePartFactory = (ctx): MetricsPart | undefined => {
  // Nothing could scrape them: no collectors, no runtime monitors.
  if (!ctx.config.http_listen) return undefined;
  const metrics = new NodeMetrics({ id: ctx.config.id, role: ctx.config.role });
  const unsubscribe = [
    ctx.onCallDone((rpc, ok, ms) => metrics.callDone(rpc, ok, ms)),
    ...observeChain(ctx, metrics),
    ...observeReplication(ctx, metrics),
  ];
  observeStoredSizes(ctx, metrics);
  return {
    name: METRICS_PART,
    metrics,
    http: async (req, res, url) => {
      if (url.pathname !== METRICS_PATH) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ error: `${METRICS_PATH} answers GET only` }));
        return true;
      }
      const body = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
    stop: async () => {
      for (const off of unsubscribe) off();
    },
  };
};

/** Publish rate, verify failures, and alert latency (acceptance → alerts committed). */
function observeChain(ctx: NodeContext, metrics: NodeMetrics): (() => void)[] {
  const federation = ctx.part<FederationPart>(FEDERATION_PART);
  if (!federation) return [];
  const times = new AcceptanceTimes();
  const off = [
    federation.chain.onAccepted((r) => {
      const provider = r.verified.batch.providerId;
      metrics.batchesAccepted.inc({ provider });
      metrics.recordsAccepted.inc({ provider }, r.verified.batch.recordCount);
      metrics.retractionsAccepted.inc({ provider }, r.verified.batch.retractionCount);
      times.accepted(provider, r.seq, Date.now());
    }),
    federation.chain.onRejected((err) => metrics.verifyFailures.inc({ code: err instanceof CordonError ? err.code : 'INTERNAL' })),
  ];
  const matching = ctx.part<MatchingPart>(MATCHING_PART);
  if (matching) {
    off.push(matching.matcher.onMatched((batch, alerts) => {
      metrics.batchesMatched.inc();
      const ms = times.matched(batch.providerId, batch.seq, Date.now());
      if (alerts === 0) return;
      metrics.alertsRaised.inc(alerts);
      if (ms !== undefined) metrics.alertLatency.observe(ms / 1000);
    }));
  }
  return off;
}

/** Replication lag: what each peer held beyond this node's heads when last asked. */
function observeReplication(ctx: NodeContext, metrics: NodeMetrics): (() => void)[] {
  const replication = ctx.part<ReplicationPart>(REPLICATION_PART);
  if (!replication) return [];
  const peerHeads = new Map<string, ReadonlyMap<string, bigint>>();
  metrics.gauge('cordon_replication_lag_batches', 'Batches a consortium peer held (at the last replication round) beyond this node\'s head, by peer and provider.', ['peer', 'provider'], async (g) => {
    const heads = await readOrWarn(ctx, 'chain heads', () => listHeads(ctx.db.sql));
    if (!heads) return;
    const local = new Map(heads.map((h) => [h.provider_id, h.seq]));
    g.reset();
    for (const s of replicationLag(peerHeads, local)) g.set({ peer: s.peer, provider: s.provider }, s.batches);
  });
  return [replication.onPeerHeads((peer, heads) => peerHeads.set(peer, heads))];
}

/** Transparency log size and budget use (OPRF evaluations, investigation queries), read from the store at scrape time. */
function observeStoredSizes(ctx: NodeContext, metrics: NodeMetrics): void {
  const guarded = <T>(what: string, read: () => Promise<T>) => () => readOrWarn(ctx, what, read);
  const log = ctx.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART);
  if (log) {
    const size = guarded('log size', () => log.log.size());
    metrics.gauge('cordon_transparency_log_entries', 'Entries in this node\'s transparency log.', [], async (g) => {
      const n = await size();
      if (n !== undefined) g.set(n);
    });
  }
  if (ctx.part(OPRF_PART)) {
    const usage = guarded('oprf usage', () => ctx.db.sql<{ provider_id: string; evaluations: string }[]>`
      SELECT provider_id, evaluations FROM oprf_usage WHERE day = ${utcDay(new Date())}`);
    metrics.gauge('cordon_oprf_evaluations_today', 'OPRF evaluations served today (UTC) per provider, against the daily budget.', ['provider'], async (g) => {
      const rows = await usage();
      if (!rows) return;
      g.reset();
      for (const r of rows) g.set({ provider: r.provider_id }, Number(r.evaluations));
    });
    metrics.gauge('cordon_oprf_evaluations_per_day_limit', 'Daily OPRF evaluation budget per provider (manifest policy).', [], (g) => {
      g.set(ctx.membership.manifest.policy.oprf_evaluations_per_day);
    });
  }
  if (ctx.part(INVESTIGATIONS_PART)) {
    const usage = guarded('investigation usage', () => ctx.db.sql<{ provider_id: string; tokens: string; queries: string }[]>`
      SELECT provider_id, tokens, queries FROM investigation_usage WHERE day = ${utcDay(new Date())}`);
    metrics.gauge('cordon_investigation_tokens_today', 'Tokens queried in investigations today (UTC) per provider, against the daily budget.', ['provider'], async (g) => {
      const rows = await usage();
      if (!rows) return;
      g.reset();
      for (const r of rows) g.set({ provider: r.provider_id }, Number(r.tokens));
    });
    metrics.gauge('cordon_investigation_tokens_per_day_limit', 'Daily investigation budget per provider, in tokens (manifest policy).', [], (g) => {
      g.set(ctx.membership.manifest.policy.investigation.query_tokens_per_day);
    });
  }
}

/** A store read for a scrape: undefined (and a warning) when it fails, so the scrape still answers with everything else. */
async function readOrWarn<T>(ctx: NodeContext, what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    ctx.log.warn('metrics: could not read from the store', { metric: what, error: errorMessage(err) });
    return undefined;
  }
}
