import { AlertWatcher } from '../../../match/inbox/alert-watcher.js';
import type { NodePart, NodePartFactory } from '../node-part.js';
import { consortiumPeers } from '../peers.js';

export const ALERT_INBOX_PART = 'alert-inbox';

/** Provider nodes: follow every consortium node's alert stream into the local inbox. */
export interface AlertInboxPart extends NodePart {
  readonly watcher: AlertWatcher;
}

export const alertInboxPart: NodePartFactory = (ctx): AlertInboxPart | undefined => {
  if (ctx.config.role !== 'provider') return undefined;
  const watcher = new AlertWatcher({ sql: ctx.db.sql, self: ctx.self, log: ctx.log, peers: () => consortiumPeers(ctx.membership, ctx.config.id, ctx.config.publish_to) });
  watcher.onAlerts((alerts, from) => ctx.log.info('alerts received', { peer: from, count: alerts.length, ids: alerts.slice(0, 5).map((a) => a.id) }));
  return { name: ALERT_INBOX_PART, watcher, start: () => watcher.start(), stop: () => watcher.stop() };
};
