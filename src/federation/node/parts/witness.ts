import { errorMessage } from '../../../errors.js';
import { Witness, type WitnessRound } from '../../../audit/witness/witness.js';
import { PEER_RETRY_MAX_ROUNDS, PeerBackoff, roundsPolicy } from '../../../retry-backoff.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';

export const WITNESS_PART = 'witness';

/**
 * The regulator's node: witnesses every consortium node's transparency log
 * (src/audit/witness), a round every replication interval; a node whose
 * checks fail is retried with back-off (retry-backoff.ts), and so is the
 * round itself when it fails as a whole. Serves nothing:
 * findings are read with `cordon audit findings` (and the regulator's views).
 */
export interface WitnessPart extends NodePart {
  readonly witness: Witness;
  /** Runs a round now, after the one in progress (rounds never overlap). */
  round(): Promise<WitnessRound>;
}

/** The one key of the part's own back-off: the round as a whole (each node's is the witness's). */
const ROUND = 'the round';

export const witnessPart: NodePartFactory = (ctx): WitnessPart | undefined => {
  if (ctx.config.role !== 'regulator') return undefined;
  const policy = roundsPolicy(ctx.config.replication_interval_ms, PEER_RETRY_MAX_ROUNDS);
  const witness = new Witness({
    self: ctx.self, sql: ctx.db.sql, membership: ctx.membership, logger: ctx.log,
    peers: () => consortiumPeers(ctx.membership, ctx.config.id),
    retry: policy,
  });
  const backoff = new PeerBackoff(policy);
  let timer: NodeJS.Timeout | undefined;
  let last: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const round = (opts: { skipBackingOff?: boolean } = {}): Promise<WitnessRound> => {
    const next = last.then(() => witness.round(opts));
    last = next.catch(() => undefined);
    return next;
  };
  const tick = () => {
    if (stopped) return;
    let wait = ctx.config.replication_interval_ms;
    void round({ skipBackingOff: true })
      .then(() => {
        if (backoff.succeeded(ROUND)) ctx.log.info('witness rounds resumed');
      })
      .catch((err: unknown) => {
        const { attempt, waitMs } = backoff.failed(ROUND);
        wait = waitMs;
        const fields = { error: errorMessage(err), attempt, retry_in_ms: waitMs };
        if (attempt === 1) ctx.log.error('witness round failed; retrying with back-off', fields);
        else ctx.log.debug('witness round still failing', fields);
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, wait);
      });
  };
  return {
    name: WITNESS_PART,
    witness,
    round: () => round(),
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
