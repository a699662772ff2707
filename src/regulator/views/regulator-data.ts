import type { Sql } from 'postgres';
import type { Membership } from '../../federation/membership/membership.js';
import { allReportViews } from '../reports/report-views.js';
import type { CampaignView } from './campaign-view.js';
import { campaignSource, type CampaignQuery, type CampaignSource } from './campaign-source.js';
import type { ReportView } from './report-view.js';

/** Who is who, for exports: the consortium and the providers by id, from the membership manifest. */
export interface ExportDirectory {
  consortium: string;
  /** ISO 8601: when the manifest was issued (identity objects are versioned by it). */
  issued_at: string;
  providers: { id: string; organisation: string }[];
}

/** Everything an export shows, read at one time. */
export interface RegulatorSnapshot {
  directory: ExportDirectory;
  campaigns: CampaignView[];
  reports: ReportView[];
}

/**
 * What the regulator's exports read (STIX, TAXII, MISP). Campaigns come from
 * a CampaignSource filtered to those spanning at least k providers (the
 * consortium policy `regulator_min_providers`); reports from the regulator's
 * own filed_reports table.
 */
export interface RegulatorDataSource {
  campaigns(query?: CampaignQuery): Promise<CampaignView[]>;
  reports(): Promise<ReportView[]>;
  snapshot(): Promise<RegulatorSnapshot>;
}

export function exportDirectory(membership: Membership): ExportDirectory {
  const m = membership.manifest;
  return {
    consortium: m.consortium,
    issued_at: m.issued_at,
    // Revoked providers stay: their earlier reports and campaigns still name them.
    providers: m.members.filter((x) => x.role === 'provider').map((x) => ({ id: x.id, organisation: x.organisation })),
  };
}

export function regulatorData(env: { sql: Sql; membership: Membership }, source: CampaignSource = campaignSource(env)): RegulatorDataSource {
  const campaigns = async (query: CampaignQuery = {}) => {
    const k = env.membership.manifest.policy.regulator_min_providers;
    // The source may hold campaigns below the threshold; the regulator never sees them.
    return (await source.campaigns(query)).filter((c) => c.provider_count >= k);
  };
  const reports = () => allReportViews(env.sql);
  return {
    campaigns,
    reports,
    snapshot: async () => {
      const [c, r] = await Promise.all([campaigns(), reports()]);
      return { directory: exportDirectory(env.membership), campaigns: c, reports: r };
    },
  };
}
