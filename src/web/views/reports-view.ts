import type { Sql } from 'postgres';
import type { Role } from '../../federation/membership/schema.js';
import { allReportViews, reportViewOf } from '../../regulator/reports/report-views.js';
import { listFiledReports } from '../../regulator/reports/report-store.js';
import type { ReportView } from '../../regulator/views/report-view.js';

/** Reports a provider's console lists (its own filings). */
const OWN_REPORTS_SHOWN = 200;

/** Filed reports: all of them on the regulator's node, a provider's own on its node, none on a consortium node (it logs digests only). */
export async function reportsView(sql: Sql, role: Role, self: string): Promise<{ reports: ReportView[]; note: string }> {
  if (role === 'regulator') return { reports: await allReportViews(sql), note: 'Every report filed with this regulator, as signed by its provider, with the receipt time.' };
  if (role === 'provider') {
    const rows = await listFiledReports(sql, { providerId: self, limit: OWN_REPORTS_SHOWN });
    return { reports: rows.map(reportViewOf), note: 'Reports this provider filed with the regulator.' };
  }
  return { reports: [], note: 'Consortium nodes log filings by digest and signatures only; they never see a report\'s content.' };
}
