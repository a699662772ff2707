import { PeerClient } from '../../client/peer-client.js';
import { deliverTo } from '../../provider/deliver.js';
import { DeliveryBackoff } from '../../provider/delivery-backoff.js';
import { PEER_RETRY_MAX_ROUNDS, roundsPolicy } from '../../../retry-backoff.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';

export const DELIVERY_PART = 'delivery';

/** Provider nodes: deliver the outbox to every consortium node, in the background and on demand. */
export interface DeliveryPart extends NodePart {
  /** Delivers the outbox to every consortium node now, even those backing off; resolves when this round is done. */
  flush(): Promise<void>;
}

/** Failures in the first seconds are expected (peers still starting) and logged at debug. */
const STARTUP_QUIET_MS = 10_000;

export const deliveryPart: NodePartFactory = (ctx): DeliveryPart | undefined => {
  if (ctx.config.role !== 'provider') return undefined;
  const clients = new Map<string, PeerClient>();
  const targets = () => consortiumPeers(ctx.membership, ctx.config.id, ctx.config.publish_to);
  let delivering: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // The outbox keeps everything and a later round resends: a failing node is retried with back-off,
  // and the failure is logged when it starts and when it ends, not each attempt.
  const backoff = new DeliveryBackoff({
    log: ctx.log, quietUntil: ctx.startedAt + STARTUP_QUIET_MS,
    failingPolicy: roundsPolicy(ctx.config.replication_interval_ms, PEER_RETRY_MAX_ROUNDS),
  });

  /** One round; `all` also tries the nodes backing off (an explicit flush). */
  const round = async (all: boolean): Promise<void> => {
    await delivering;
    delivering = (async () => {
      await Promise.all(
        targets().filter((peer) => all || backoff.due(peer.id)).map(async (peer) => {
          let client = clients.get(peer.id);
          if (!client || client.peer.address !== peer.address) clients.set(peer.id, (client = new PeerClient(ctx.self, peer)));
          try {
            await deliverTo(ctx.db.sql, ctx.config.id, client);
            backoff.succeeded(peer.id);
          } catch (err) {
            backoff.failed(peer.id, err);
          }
        }),
      );
    })();
    await delivering.finally(() => (delivering = undefined));
  };
  const flush = () => round(true);

  const loop = () => {
    if (stopped) return;
    void round(false).finally(() => {
      if (!stopped) timer = setTimeout(loop, ctx.config.replication_interval_ms);
    });
  };

  return {
    name: DELIVERY_PART,
    flush,
    start: () => {
      timer = setTimeout(loop, 0);
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await delivering;
      for (const c of clients.values()) c.close();
    },
  };
};
