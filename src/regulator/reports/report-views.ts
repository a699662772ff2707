import type { Sql } from 'postgres';
import { tokenKindName } from '../views/indicator-token.js';
import type { ReportView } from '../views/report-view.js';
import { isoFromMs } from '../views/timestamps.js';
import { listFiledReports, type FiledReportRow } from './report-store.js';
import { hexOf } from './statements.js';
import { decodeReport } from './validate-report.js';

/** Rows read per query when the regulator reads every report (exports). */
const READ_PAGE = 500;

/** A stored filed report as the regulator's views show it. Stored bytes were validated at filing. */
export function reportViewOf(row: FiledReportRow): ReportView {
  const r = decodeReport(row.report);
  return {
    id: hexOf(row.digest),
    provider: r.providerId,
    campaign_ref: r.campaignRef,
    indicators: r.indicators.map((i) => ({ kind: tokenKindName(i.kind)!, token_hex: hexOf(i.token), epoch: i.epoch })),
    narrative: r.narrative,
    contact: r.contact,
    created_at: isoFromMs(r.createdMs),
    received_at: isoFromMs(row.receivedMs),
    regulator: row.regulatorId,
  };
}

/** Every filed report the node holds, in the order received. */
export async function allReportViews(sql: Sql): Promise<ReportView[]> {
  const out: ReportView[] = [];
  let after: { receivedMs: bigint; digest: Uint8Array } | undefined;
  for (;;) {
    const page = await listFiledReports(sql, { limit: READ_PAGE, ...(after ? { after } : {}) });
    out.push(...page.map(reportViewOf));
    if (page.length < READ_PAGE) return out;
    const last = page[page.length - 1]!;
    after = { receivedMs: last.receivedMs, digest: last.digest };
  }
}
