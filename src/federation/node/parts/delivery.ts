import { errorMessage } from '../../../errors.js';
import { PeerClient } from '../../client/peer-client.js';
import { deliverTo } from '../../provider/deliver.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';

export const DELIVERY_PART = 'delivery';

/** Provider nodes: deliver the outbox to every consortium node, in the background and on demand. */
export interface DeliveryPart extends NodePart {
  /** Delivers the outbox to every consortium node now; resolves when this round is done. */
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

  const flush = async (): Promise<void> => {
    await delivering;
    delivering = (async () => {
      const failures: string[] = [];
      await Promise.all(
        targets().map(async (peer) => {
          let client = clients.get(peer.id);
          if (!client || client.peer.address !== peer.address) clients.set(peer.id, (client = new PeerClient(ctx.self, peer)));
          try {
            await deliverTo(ctx.db.sql, ctx.config.id, client);
          } catch (err) {
            failures.push(errorMessage(err));
          }
        }),
      );
      // The consortium may still be starting; the outbox keeps everything and the next round resends.
      if (failures.length > 0) ctx.log[Date.now() - ctx.startedAt > STARTUP_QUIET_MS ? 'warn' : 'debug']('delivery incomplete', { failures });
    })();
    await delivering.finally(() => (delivering = undefined));
  };

  const loop = () => {
    if (stopped) return;
    void flush().finally(() => {
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
