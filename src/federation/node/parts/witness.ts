import { errorMessage } from '../../../errors.js';
import { Witness, type WitnessRound } from '../../../audit/witness/witness.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';

export const WITNESS_PART = 'witness';

/**
 * The regulator's node: witnesses every consortium node's transparency log
 * (src/audit/witness), a round every replication interval. Serves nothing:
 * findings are read with `cordon audit findings` (and the regulator's views).
 */
export interface WitnessPart extends NodePart {
  readonly witness: Witness;
  /** Runs a round now, after the one in progress (rounds never overlap). */
  round(): Promise<WitnessRound>;
}

export const witnessPart: NodePartFactory = (ctx): WitnessPart | undefined => {
  if (ctx.config.role !== 'regulator') return undefined;
  const witness = new Witness({
    self: ctx.self, sql: ctx.db.sql, membership: ctx.membership, logger: ctx.log,
    peers: () => consortiumPeers(ctx.membership, ctx.config.id),
  });
  let timer: NodeJS.Timeout | undefined;
  let last: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const round = (): Promise<WitnessRound> => {
    const next = last.then(() => witness.round());
    last = next.catch(() => undefined);
    return next;
  };
  const tick = () => {
    if (stopped) return;
    void round()
      .catch((err: unknown) => ctx.log.error('witness round failed', { error: errorMessage(err) }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, ctx.config.replication_interval_ms);
      });
  };
  return {
    name: WITNESS_PART,
    witness,
    round,
    start: () => {
      timer = setTimeout(tick, 0);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await last;
      witness.close();
    },
  };
};
