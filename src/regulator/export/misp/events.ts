import type { CampaignView } from '../../views/campaign-view.js';
import type { ReportView } from '../../views/report-view.js';
import { uuidv5 } from '../stix/ids.js';
import { campaignIdAttribute, textAttribute, tokenAttribute } from './attributes.js';
import type { MispEvent, MispOrg, MispTag } from './types.js';

/**
 * MISP events: one per campaign the regulator sees, one per filed report.
 * Event uuids are UUIDv5 of the natural key (like STIX ids), so a re-export
 * updates the same MISP event: MISP pulls a feed event again when its
 * timestamp grew, which is the view's updated_at.
 */

/** The shared-with-regulator default: analysts may share with their organisation and clients, not publicly. */
const TLP: MispTag = { name: 'tlp:amber', colour: '#FFC000' };

/** Score bands for MISP's threat level: a campaign scored ≥ 0.8 is high, ≥ 0.5 medium, else low. */
function threatLevel(score: number): string {
  return score >= 0.8 ? '1' : score >= 0.5 ? '2' : '3';
}

const seconds = (iso: string): string => String(Math.floor(Date.parse(iso) / 1000));
const day = (iso: string): string => iso.slice(0, 10);

export function orgUuid(key: string): string {
  return uuidv5(`misp-org|${key}`);
}

export function campaignEvent(c: CampaignView, consortium: MispOrg, providerNames: ReadonlyMap<string, string>): MispEvent {
  const uuid = uuidv5(`misp-event|campaign|${c.id}`);
  const ts = seconds(c.updated_at > c.first_seen ? c.updated_at : c.first_seen);
  const names = c.providers.map((p) => providerNames.get(p) ?? p);
  return {
    uuid,
    info: `Cordon campaign ${c.id}: ${c.account_count} suspect accounts across ${c.provider_count} providers`,
    date: day(c.first_seen),
    timestamp: ts,
    publish_timestamp: ts,
    published: true,
    analysis: c.status === 'active' ? '1' : '2',
    threat_level_id: threatLevel(c.score),
    Orgc: consortium,
    Tag: [TLP, { name: `cordon:status="${c.status}"` }, ...c.labels.map((l) => ({ name: `cordon:label="${l}"` }))],
    Attribute: [
      campaignIdAttribute(uuid, c.id, ts),
      textAttribute(uuid, `score ${c.score}; ${c.record_count} records, ${c.account_count} accounts; providers: ${names.join(', ')}; ` +
        `active ${c.first_seen} – ${c.last_seen}` +
        (c.template_similarity !== null ? `; template similarity ${c.template_similarity}` : '') +
        (c.shared_token_kinds.length ? `; linked by ${c.shared_token_kinds.join(', ')} tokens` : ''), 'Cordon campaign summary', ts),
      ...c.indicators.map((t) => tokenAttribute(uuid, t, ts)),
    ],
  };
}

export function reportEvent(r: ReportView, filer: MispOrg): MispEvent {
  const uuid = uuidv5(`misp-event|report|${r.id}`);
  const ts = seconds(r.received_at);
  return {
    uuid,
    info: `Cordon filed report ${r.id.slice(0, 16)} by ${filer.name} on ${r.campaign_ref}`,
    date: day(r.created_at),
    timestamp: ts,
    publish_timestamp: ts,
    published: true,
    analysis: '0',
    threat_level_id: '4',
    Orgc: filer,
    Tag: [TLP, { name: 'cordon:source="filed-report"' }],
    Attribute: [
      campaignIdAttribute(uuid, r.campaign_ref, ts),
      textAttribute(uuid, r.narrative, `Narrative by the filing provider (report ${r.id})`, ts),
      ...r.indicators.map((t) => tokenAttribute(uuid, t, ts)),
    ],
  };
}
