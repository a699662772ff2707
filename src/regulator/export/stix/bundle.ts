import type { RegulatorSnapshot } from '../../views/regulator-data.js';
import { campaignObjects } from './campaigns.js';
import { identityObjects } from './identities.js';
import { uuidv5 } from './ids.js';
import { IndicatorObjects } from './indicators.js';
import { byId, type StixBundle, type StixObject } from './objects.js';
import { reportObjects } from './reports.js';

/**
 * STIX 2.1 export of what the regulator sees (DESIGN.md §7, issue 5 item 5).
 *
 * Pure: a snapshot in, objects out. No clock, no randomness, no I/O: the same
 * input always yields byte-identical output, and object ids are UUIDv5 of
 * natural keys (ids.ts), so re-exports carry the same ids and a grown
 * campaign is a new version (same id, later `modified`).
 *
 * Objects: identity (consortium, providers), campaign, indicator (keyed-token
 * patterns), relationship (indicates, targets), report (filed reports).
 * Order: identities, campaigns, indicators, relationships, reports, each by id.
 * Throws INVALID_INPUT naming the offending field of the snapshot.
 */
export function stixObjects(snapshot: RegulatorSnapshot): StixObject[] {
  const { consortium, providers } = identityObjects(snapshot.directory);
  const indicators = new IndicatorObjects();
  const { campaigns, relationships } = campaignObjects(snapshot.campaigns ?? [], providers, indicators, consortium.id);
  const reports = reportObjects(snapshot.reports ?? [], providers, campaigns, indicators);
  const unique = (objs: StixObject[]) => [...new Map(objs.map((o) => [o.id, o])).values()];
  return [
    ...[consortium, ...providers.values()].sort(byId),
    ...[...campaigns.values()].sort(byId),
    ...indicators.objects(consortium.id).sort(byId),
    ...unique(relationships).sort(byId),
    ...reports.sort(byId),
  ];
}

/** The snapshot as one bundle; its id is derived from every object's id and version. */
export function exportStixBundle(snapshot: RegulatorSnapshot): StixBundle {
  const objects = stixObjects(snapshot);
  const key = objects.map((o) => `${o.id}@${o.modified}`).join(',');
  return { type: 'bundle', id: `bundle--${uuidv5(`bundle|${key}`)}`, objects };
}
