import { create } from '@bufbuild/protobuf';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * Issue 9 acceptance: `/metrics` parses as Prometheus text format (with a
 * real parser of the format) and moves when records are published.
 */
describe('Prometheus metrics on /metrics', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};

  async function scrape(id: string): Promise<{ contentType: string; families: Map<string, PromFamily> }> {
    const res = await fetch(`http://${nodes[id]!.httpAddress}/metrics`);
    expect(res.status).toBe(200);
    const families = parsePrometheusTextFormat(await res.text());
    return { contentType: res.headers.get('content-type') ?? '', families: new Map(families.map((f) => [f.name, f])) };
  }
  /**
   * Sum of a counter or gauge family's samples whose labels include `labels`.
   * (The parser merges a histogram's label sets into one sample, so labelled
   * histograms are read through their companion counters.)
   */
  function total(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number {
    return (families.get(name)?.metrics ?? [])
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
      .reduce((sum, m) => sum + Number(m.value ?? 0), 0);
  }

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' },
      { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' },
    ]);
    for (const id of ['c1', 'c2']) nodes[id] = await startInProcess(fed, id, { http_listen: '127.0.0.1:0' });
    // Both providers publish to c1 only: c2 gets everything by replication.
    for (const id of ['p1', 'p2']) nodes[id] = await startInProcess(fed, id, { publish_to: ['c1'], replication_interval_ms: 60_000, http_listen: '127.0.0.1:0' });
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('serves the text exposition format with process metrics and the node\'s own families before anything is published', async () => {
    const { contentType, families } = await scrape('c1');
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('COUNTER');
    expect(families.get('nodejs_heap_size_used_bytes')?.type).toBe('GAUGE');
    expect(families.get('cordon_rpc_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(families.get('cordon_alert_latency_seconds')?.type).toBe('HISTOGRAM');
    expect(families.get('cordon_node_info')?.metrics[0]?.labels).toEqual({ node: 'c1', role: 'consortium' });
    expect(families.get('cordon_transparency_log_entries')?.type).toBe('GAUGE');
    expect(total(families, 'cordon_oprf_evaluations_per_day_limit')).toBeGreaterThan(0);
    expect(total(families, 'cordon_investigation_tokens_per_day_limit')).toBeGreaterThan(0);
    expect(total(families, 'cordon_records_accepted_total')).toBe(0);
    // A provider serves process and RPC metrics, but no chain families.
    const provider = await scrape('p1');
    expect(provider.families.has('process_cpu_user_seconds_total')).toBe(true);
    expect(provider.families.has('cordon_transparency_log_entries')).toBe(false);
  });

  it('moves the publish, RPC, alert and log metrics when records are published, and the replica\'s too', async () => {
    const before = (await scrape('c1')).families;
    const logBefore = total(before, 'cordon_transparency_log_entries');
    // p2 holds accounts with the same tokens as 20 of p1's: the matcher raises alerts.
    const a = makeRecords(300, 'a');
    const b = makeRecords(20, 'b').map((r, i) => ({ ...r, tokens: a[i]!.tokens }));
    await appendToChain(nodes.p1!.db.sql, 'p1', nodes.p1!.key.privateKey, { records: a, retractions: [] }, { batchRecords: 100 });
    await appendToChain(nodes.p2!.db.sql, 'p2', nodes.p2!.key.privateKey, { records: b, retractions: [] });
    await Promise.all([nodes.p1!.flush(), nodes.p2!.flush()]);

    const after = await eventually(async () => {
      const f = (await scrape('c1')).families;
      const settled = total(f, 'cordon_batches_matched_total') === 4 && total(f, 'cordon_transparency_log_entries') >= logBefore + 4;
      return settled ? f : undefined;
    }, 20_000, 'batches matched and logged at c1');
    expect(total(after, 'cordon_records_accepted_total', { provider: 'p1' })).toBe(300);
    expect(total(after, 'cordon_records_accepted_total', { provider: 'p2' })).toBe(20);
    expect(total(after, 'cordon_batches_accepted_total')).toBe(4);
    expect(total(after, 'cordon_rpc_calls_total', { method: 'cordon.v1.FederationService/Publish', status: 'ok' }) - total(before, 'cordon_rpc_calls_total', { method: 'cordon.v1.FederationService/Publish', status: 'ok' })).toBeGreaterThanOrEqual(4);
    const latency = after.get('cordon_alert_latency_seconds')!.metrics[0]!;
    expect(Number(latency.count)).toBeGreaterThan(0);
    expect(Number(latency.buckets!['+Inf'])).toBe(Number(latency.count));
    expect(Number(latency.sum)).toBeGreaterThan(0);
    expect(total(after, 'cordon_alerts_raised_total')).toBeGreaterThan(0);

    // c2 pulled the same batches from c1: its counters moved, and its lag towards c1 drains to zero.
    const replica = await eventually(async () => {
      const f = (await scrape('c2')).families;
      return total(f, 'cordon_records_accepted_total') === 320 && (f.get('cordon_replication_lag_batches')?.metrics.length ?? 0) >= 2 ? f : undefined;
    }, 20_000, 'c2 replicated');
    const lag = replica.get('cordon_replication_lag_batches')!.metrics;
    expect(lag.map((m) => m.labels?.peer)).toContain('c1');
    await eventually(async () => total((await scrape('c2')).families, 'cordon_replication_lag_batches') === 0, 10_000, 'c2 lag drained');
  });

  it('counts a batch refused by verification, by error code', async () => {
    const [held] = await nodes.p1!.db.sql<{ batch: Uint8Array; signature: string }[]>`SELECT batch, signature FROM outbox WHERE seq = 1`;
    const tampered = Buffer.from(held!.batch);
    tampered[tampered.length - 5]! ^= 0x01;
    const client = new PeerClient({ id: 'p1', key: nodes.p1!.key.privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    try {
      await expect(client.publish(create(SignedBatchSchema, { batch: tampered, signature: held!.signature }))).rejects.toThrow(/does not verify/);
    } finally {
      client.close();
    }
    const { families } = await scrape('c1');
    expect(total(families, 'cordon_batch_verify_failures_total', { code: 'INVALID_SIGNATURE' })).toBe(1);
    expect(total(families, 'cordon_rpc_calls_total', { method: 'cordon.v1.FederationService/Publish', status: 'error' })).toBeGreaterThanOrEqual(1);
  });
});
