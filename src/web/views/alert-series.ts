import type { Sql } from 'postgres';
import { AlertKind } from '../../gen/cordon/v1/alerts_pb.js';
import type { Role } from '../../federation/membership/schema.js';
import { wholeInbox } from './whole-inbox.js';
import { timeSeries } from './time-series.js';
import type { TimeSeries } from './view-types.js';

const KIND_NAMES: Record<number, string> = {
  [AlertKind.OVERLAP]: 'overlap', [AlertKind.CAMPAIGN_GROWTH]: 'campaign_growth', [AlertKind.WITHDRAWAL]: 'withdrawal',
  [AlertKind.FEEDBACK]: 'feedback', [AlertKind.QUARANTINE]: 'quarantine',
};

/**
 * Alerts over time, as the role may count them:
 * - provider: the alerts in its own inbox (what consortium nodes disclosed to it);
 * - consortium: how many alerts the node issued, by kind (counts only: the
 *   node produced them; their content stays with their recipients);
 * - regulator: receives no alerts (disclosure policy), so the chart shows the
 *   campaigns it may see (≥ k providers) by the time they were founded.
 */
export async function alertSeries(sql: Sql, role: Role, regulatorMinProviders: number): Promise<TimeSeries> {
  if (role === 'provider') {
    const inbox = await wholeInbox(sql);
    return timeSeries('Alerts received', 'Alerts in this provider\'s inbox, by the time the consortium raised them.',
      inbox.map((a) => ({ at: Number(a.alert.createdMs), kind: KIND_NAMES[a.alert.kind] ?? 'other' })));
  }
  if (role === 'consortium') {
    const rows = await sql<{ at: Date; kind: string }[]>`SELECT created_at AS at, kind FROM alerts ORDER BY cursor`;
    return timeSeries('Alerts issued', 'Alerts this node raised to providers (counts by kind; each alert\'s content is only for its recipient).',
      rows.map((r) => ({ at: r.at.getTime(), kind: r.kind })));
  }
  const floor = Math.max(2, regulatorMinProviders);
  const rows = await sql<{ at: Date; n: number }[]>`
    SELECT founded_at AS at, cardinality(providers) AS n FROM campaigns WHERE status = 'active' AND cardinality(providers) >= ${floor} ORDER BY founded_at`;
  return timeSeries('Campaigns founded', `The regulator receives no alerts; these are the campaigns spanning at least ${floor} providers, by when they were founded.`,
    rows.map((r) => ({ at: r.at.getTime(), kind: `${r.n} providers` })));
}
