import type { Sql } from 'postgres';
import { CordonError } from '../../errors.js';
import { batchLeafEntry } from '../log-leaf.js';
import type { TransparencyLog } from '../transparency-log.js';
import { markLogged, pendingBatches } from './batch-log-store.js';
import { chainOrder } from './chain-order.js';

/** Batches logged per transaction: bounds how long the sequencer is held. */
export const INTEGRATE_PAGE = 5_000;

/**
 * Puts accepted batches into the node's own log. Acceptance never waits for
 * the log (it commits batches with log_idx NULL, provider chains in
 * parallel); this appends the pending ones as leaves and sets their log_idx
 * in the same transaction, under the log's sequencer, so a batch is logged
 * exactly once whichever process (or how many front ends on one database)
 * runs it, and a crash between acceptance and logging only delays the leaf.
 */
export class BatchIntegrator {
  constructor(
    private readonly sql: Sql,
    private readonly log: TransparencyLog,
  ) {}

  /** Logs every pending batch, a page per transaction; resolves to how many. */
  async integrateAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.integratePage();
      total += n;
      if (n < INTEGRATE_PAGE) return total;
    }
  }

  async integratePage(): Promise<number> {
    return this.sql.begin(async (tx) => {
      // Read the pending set under the sequencer: another integrator cannot log them too.
      await this.log.lockIn(tx);
      const pending = chainOrder(await pendingBatches(tx, INTEGRATE_PAGE));
      if (pending.length === 0) return 0;
      const indices = await this.log.appendIn(tx, pending.map((b) => batchLeafEntry(b)));
      const marked = await markLogged(tx, pending, indices);
      if (marked !== pending.length) throw new CordonError('INTERNAL', `log integration: ${pending.length} batches appended but ${marked} marked; rolled back`);
      return pending.length;
    });
  }
}
