import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * RPC latency buckets (seconds): loopback calls take about a millisecond, a
 * publication of a large batch commits in about a second, a long stream ends
 * after minutes. The top bucket catches those; +Inf the rest.
 */
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];
/**
 * Alert latency buckets (seconds): a batch is normally matched within a few
 * hundred milliseconds of acceptance; a backlog (a replica catching up, a
 * matcher restarting) takes seconds to minutes.
 */
const ALERT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Every metric a node exposes on /metrics, in a registry of its own (several
 * nodes may run in one process, in tests and the demo). Label values are
 * member ids, RPC names and error codes: never anything derived from a record.
 *
 * Gauges whose value lives elsewhere (log size, budgets, replication lag) are
 * read at scrape time through `collect` callbacks set by the metrics part.
 */
export class NodeMetrics {
  readonly registry = new Registry();

  /** Calls and their latency, as go-grpc-prometheus pairs grpc_server_handled_total with grpc_server_handling_seconds. */
  readonly rpcCalls = new Counter({
    name: 'cordon_rpc_calls_total',
    help: 'Served RPCs by method and outcome (ok or error).',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });

  readonly rpcDuration = new Histogram({
    name: 'cordon_rpc_duration_seconds',
    help: 'Duration of served RPCs by method and outcome (ok or error).',
    labelNames: ['method', 'status'] as const,
    buckets: RPC_BUCKETS,
    registers: [this.registry],
  });

  readonly batchesAccepted = new Counter({
    name: 'cordon_batches_accepted_total',
    help: 'Signed batches accepted into this node\'s store (published directly or replicated), by provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly recordsAccepted = new Counter({
    name: 'cordon_records_accepted_total',
    help: 'Records in accepted batches, by provider (rate() of this is the publish rate).',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly retractionsAccepted = new Counter({
    name: 'cordon_retractions_accepted_total',
    help: 'Retractions in accepted batches, by provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly verifyFailures = new Counter({
    name: 'cordon_batch_verify_failures_total',
    help: 'Batches refused by verification (signature, signer, content), by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly batchesMatched = new Counter({
    name: 'cordon_batches_matched_total',
    help: 'Accepted batches the matcher has committed.',
    registers: [this.registry],
  });

  readonly alertsRaised = new Counter({
    name: 'cordon_alerts_raised_total',
    help: 'Alerts committed by the matcher for accepted batches.',
    registers: [this.registry],
  });

  readonly alertLatency = new Histogram({
    name: 'cordon_alert_latency_seconds',
    help: 'Time from a batch\'s acceptance at this node to the commit of the alerts it raised.',
    buckets: ALERT_BUCKETS,
    registers: [this.registry],
  });

  constructor(node: { id: string; role: string }) {
    // An info metric rather than default labels on every series: Prometheus's own
    // target labels (instance, job) tell nodes apart; join on this for id and role.
    new Gauge({ name: 'cordon_node_info', help: 'This node\'s id and role (always 1).', labelNames: ['node', 'role'], registers: [this.registry] })
      .set({ node: node.id, role: node.role }, 1);
    collectDefaultMetrics({ register: this.registry });
  }

  /** One finished RPC (from the pipeline's onCallDone). */
  callDone(method: string, ok: boolean, ms: number): void {
    const labels = { method, status: ok ? 'ok' : 'error' };
    this.rpcCalls.inc(labels);
    this.rpcDuration.observe(labels, ms / 1000);
  }

  /** A gauge read at scrape time. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (g: Gauge<L>) => Promise<void> | void): Gauge<L> {
    return new Gauge<L>({
      name, help, labelNames, registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
