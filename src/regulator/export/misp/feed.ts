import { createHash } from 'node:crypto';
import { CordonError } from '../../../errors.js';
import { checkCampaignView } from '../../views/campaign-view.js';
import type { RegulatorSnapshot } from '../../views/regulator-data.js';
import { checkReportView } from '../../views/report-view.js';
import { campaignEvent, orgUuid, reportEvent } from './events.js';
import type { MispEvent, MispFeed, MispManifestEntry, MispOrg } from './types.js';

function manifestEntry(e: MispEvent): MispManifestEntry {
  return {
    Orgc: e.Orgc, Tag: e.Tag, info: e.info, date: e.date,
    analysis: Number(e.analysis), threat_level_id: Number(e.threat_level_id), timestamp: Number(e.timestamp),
  };
}

/**
 * The regulator's snapshot as a MISP feed (pure; write-feed.ts puts it on
 * disk). Campaign events are by the consortium's organisation, report events
 * by the filing provider's. hashes.csv lists md5(value) of every attribute,
 * as MISP's feed cache expects (no composite types are used, so one line per
 * attribute). Events are sorted by uuid so output is byte-stable.
 */
export function mispFeed(snapshot: RegulatorSnapshot): MispFeed {
  const d = snapshot.directory;
  const consortium: MispOrg = { name: d.consortium, uuid: orgUuid(`consortium|${d.consortium}`) };
  const orgs = new Map(d.providers.map((p) => [p.id, { name: p.organisation, uuid: orgUuid(`provider|${p.id}`) } satisfies MispOrg]));
  const names = new Map(d.providers.map((p) => [p.id, p.organisation]));
  const events: MispEvent[] = [];
  snapshot.campaigns.forEach((raw, i) => {
    const c = checkCampaignView(raw, `campaigns[${i}]`);
    c.providers.forEach((p, j) => {
      if (!orgs.has(p)) throw new CordonError('INVALID_INPUT', `campaigns[${i}].providers[${j}]: unknown provider id ${JSON.stringify(p)}`);
    });
    events.push(campaignEvent(c, consortium, names));
  });
  snapshot.reports.forEach((raw, i) => {
    const r = checkReportView(raw, `reports[${i}]`);
    const filer = orgs.get(r.provider);
    if (!filer) throw new CordonError('INVALID_INPUT', `reports[${i}].provider: unknown provider id ${JSON.stringify(r.provider)}`);
    events.push(reportEvent(r, filer));
  });
  events.sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.uuid)) throw new CordonError('INVALID_INPUT', `misp export: two events would share uuid ${e.uuid} (a campaign or report listed twice: ${e.info})`);
    seen.add(e.uuid);
  }
  return {
    manifest: Object.fromEntries(events.map((e) => [e.uuid, manifestEntry(e)])),
    events: events.map((e) => ({ Event: e })),
    hashes: events.flatMap((e) => e.Attribute.map((a) => `${createHash('md5').update(a.value, 'utf8').digest('hex')},${e.uuid}`)),
  };
}
