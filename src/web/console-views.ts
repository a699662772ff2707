import type { NodeContext } from '../federation/node/node-part.js';
import { consortiumPeers } from '../federation/node/peers.js';
import type { ConsoleViews } from './console-routes.js';
import { alertSeries } from './views/alert-series.js';
import { auditStatus } from './views/audit-status.js';
import { casesView } from './views/cases-view.js';
import { healthView } from './views/health-view.js';
import { localCampaigns } from './views/local-campaigns.js';
import { providerCampaigns } from './views/provider-campaigns.js';
import { reportsView } from './views/reports-view.js';

/** The console's views for this node's role (the console never decides disclosure itself: see each view). */
export function consoleViews(ctx: NodeContext): ConsoleViews {
  const { db, membership, config } = ctx;
  const role = config.role;
  const viewer = { id: config.id, role };
  return {
    role,
    campaigns: role === 'provider'
      ? providerCampaigns({ sql: db.sql, self: ctx.self, peers: () => consortiumPeers(membership, config.id, config.publish_to) })
      : localCampaigns({ sql: db.sql, membership, viewer }),
    alerts: () => alertSeries(db.sql, role, membership.manifest.policy.regulator_min_providers),
    cases: casesView({ role, sql: db.sql, self: ctx.self, dir: config.dir, membership, peers: () => consortiumPeers(membership, config.id) }),
    audit: () => auditStatus(db.sql, role, membership.members('consortium').map((m) => m.id)),
    reports: () => reportsView(db.sql, role, config.id),
    health: () => healthView({ sql: db.sql, membership, id: config.id, role, parts: ctx.partNames(), startedAt: ctx.startedAt, embedded: db.embedded !== undefined }),
  };
}
