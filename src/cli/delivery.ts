import type { NodeDelivery } from '../federation/provider/publish-all.js';
import type { CommandIO } from './command.js';

/** The batches one run of publish or rotate signed: seq first..last. */
export interface RunBatches { readonly first: bigint; readonly last: bigint }

const runSize = (run: RunBatches): number => Number(run.last - run.first + 1n);

/** One node's delivery, counted against the run's batches (also the --json shape). */
export interface DeliverySummary {
  readonly node: string;
  /** The node's head of our chain after delivery; null when delivery failed. */
  readonly head_seq: number | null;
  /** This run's batches the node accepted now. */
  readonly sent: number;
  /** This run's batches the node had already (from a running provider node's resend, or an earlier attempt); null when delivery failed. */
  readonly already_held: number | null;
  /** Batches outside this run (left in the outbox by earlier runs) the node accepted now. */
  readonly earlier_sent: number;
  readonly error?: string;
}

/**
 * Counts a node's delivery against the run. After a successful delivery the
 * node holds every batch up to its head (deliver.ts), so of the run's
 * batches, those not sent now were already held: sent + already_held is the
 * number of batches the run signed.
 */
export function summarizeDelivery(run: RunBatches, d: NodeDelivery): DeliverySummary {
  const inRun = (s: bigint): boolean => s >= run.first && s <= run.last;
  const sent = d.sent.filter(inRun).length;
  const size = runSize(run);
  return {
    node: d.node,
    head_seq: d.headSeq === undefined ? null : Number(d.headSeq),
    sent,
    already_held: d.error === undefined ? size - sent : null,
    earlier_sent: d.sent.length - sent,
    ...(d.error !== undefined ? { error: d.error } : {}),
  };
}

export const batchesOf = (n: number): string => `${n} batch${n === 1 ? '' : 'es'}`;

/** `signed 20 batches (seq 2–21)` */
export function describeRun(run: RunBatches): string {
  const n = runSize(run);
  return `signed ${batchesOf(n)} (seq ${run.first === run.last ? run.first : `${run.first}–${run.last}`})`;
}

/** One line per node: delivered ones on stdout, failed ones on stderr. */
export function printDeliveries(io: CommandIO, run: RunBatches, summaries: readonly DeliverySummary[]): void {
  const n = runSize(run);
  const ofRun = n === 1 ? "this run's batch" : `this run's ${n} batches`;
  for (const s of summaries) {
    const earlier = s.earlier_sent > 0 ? `; also sent ${batchesOf(s.earlier_sent)} left in the outbox by earlier runs` : '';
    if (s.error === undefined) io.out(`${s.node}: head seq ${s.head_seq}; of ${ofRun}, ${s.sent} sent now and ${s.already_held} already held${earlier}`);
    else io.err(`${s.node}: not delivered: ${s.error} (${s.sent} of ${ofRun} sent before that${earlier}; the rest stay in the outbox and a running provider node resends them)`);
  }
}
