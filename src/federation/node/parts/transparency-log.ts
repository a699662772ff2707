import { PeerLogMonitor } from '../../../audit/gossip/peer-log-monitor.js';
import { LogPublisher } from '../../../audit/integrate/log-publisher.js';
import { logService } from '../../../audit/service/log-service.js';
import { TransparencyLog } from '../../../audit/transparency-log.js';
import { TransparencyLogService } from '../../../gen/cordon/v1/log_pb.js';
import { PEER_RETRY_MAX_ROUNDS, roundsPolicy } from '../../../retry-backoff.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';
import { FEDERATION_PART, type FederationPart } from './federation.js';

export const TRANSPARENCY_LOG_PART = 'transparency-log';

/**
 * Consortium nodes: the node's own transparency log. Every accepted batch is
 * logged (the publisher wakes on each acceptance and sweeps every second),
 * tree heads are signed with the node's key, the log is served read-only over
 * TransparencyLogService, and the peers' logs are watched for gossip.
 * Other modules append their own entries through `log` (which wakes the
 * publisher too).
 */
export interface TransparencyLogPart extends NodePart {
  readonly log: TransparencyLog;
  readonly publisher: LogPublisher;
  readonly monitor: PeerLogMonitor;
}

export const transparencyLogPart: NodePartFactory = (ctx): TransparencyLogPart | undefined => {
  if (ctx.config.role !== 'consortium') return undefined;
  const federation = ctx.part<FederationPart>(FEDERATION_PART)!;
  const log = new TransparencyLog(ctx.db.sql);
  const publisher = new LogPublisher({ sql: ctx.db.sql, log, key: ctx.key.privateKey, kid: ctx.config.id, logger: ctx.log });
  const monitor = new PeerLogMonitor({
    self: ctx.self, sql: ctx.db.sql, membership: ctx.membership, logger: ctx.log,
    peers: () => consortiumPeers(ctx.membership, ctx.config.id),
    retry: roundsPolicy(ctx.config.replication_interval_ms, PEER_RETRY_MAX_ROUNDS),
  });
  const unsubscribe = [federation.chain.onAccepted(() => publisher.wake()), log.onAppended(() => publisher.wake())];
  let timer: NodeJS.Timeout | undefined;
  let watching: Promise<void> | undefined;
  let stopped = false;
  const watch = () => {
    if (stopped) return;
    watching = monitor.observe({ skipBackingOff: true }).finally(() => {
      watching = undefined;
      if (!stopped) timer = setTimeout(watch, ctx.config.replication_interval_ms);
    });
  };

  return {
    name: TRANSPARENCY_LOG_PART,
    log,
    publisher,
    monitor,
    services: [{ service: TransparencyLogService, implementation: logService(ctx.pipeline, { log, logId: ctx.config.id }) }],
    start: async () => {
      // Catch up first: whatever was accepted before a crash and not yet logged.
      await publisher.start();
      timer = setTimeout(watch, 0);
    },
    stop: async () => {
      stopped = true;
      for (const off of unsubscribe) off();
      clearTimeout(timer);
      await watching;
      await publisher.stop();
      monitor.close();
    },
  };
};
