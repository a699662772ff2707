import { CordonError } from '../../../errors.js';
import { checkReportView, type ReportView } from '../../views/report-view.js';
import { stixId } from './ids.js';
import type { IndicatorObjects } from './indicators.js';
import type { StixObject } from './objects.js';

/**
 * A `report` object per filed report: created_by_ref the filing provider,
 * created = when the provider wrote it, published = when the regulator
 * received it, description = the provider's narrative (checked at filing for
 * raw identifiers), object_refs = the campaign (when the regulator sees it),
 * the report's indicators and the provider. Its contact stays out of exports.
 */
export function reportObjects(
  views: readonly ReportView[],
  providers: ReadonlyMap<string, StixObject>,
  campaigns: ReadonlyMap<string, StixObject>,
  indicators: IndicatorObjects,
): StixObject[] {
  const seen = new Set<string>();
  return views.map((raw, i) => {
    const where = `reports[${i}]`;
    const r = checkReportView(raw, where);
    if (seen.has(r.id)) throw new CordonError('INVALID_INPUT', `${where}.id: duplicate report id ${r.id}`);
    seen.add(r.id);
    const filer = providers.get(r.provider);
    if (!filer) throw new CordonError('INVALID_INPUT', `${where}.provider: unknown provider id ${JSON.stringify(r.provider)}`);
    // A report may name a campaign the regulator does not see (below k providers, or the provider's own case reference).
    const campaign = campaigns.get(r.campaign_ref);
    const indicatorIds = [...new Set(r.indicators.map((t) => indicators.add(t, r.created_at, r.created_at, true)))].sort();
    const report: StixObject = {
      type: 'report', spec_version: '2.1', id: stixId('report', r.id), created: r.created_at, modified: r.created_at,
      created_by_ref: filer.id,
      name: `Cordon filed report ${r.id.slice(0, 16)} on ${r.campaign_ref}`,
      report_types: [campaign ? 'campaign' : 'threat-report'],
      published: r.received_at,
      object_refs: [...(campaign ? [campaign.id] : []), ...indicatorIds, filer.id],
      x_cordon_report_id: r.id,
      x_cordon_campaign_ref: r.campaign_ref,
      x_cordon_regulator: r.regulator,
    };
    if (r.narrative.trim() !== '') report.description = r.narrative;
    return report;
  });
}
