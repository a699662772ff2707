import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CordonError, errorMessage } from '../../errors.js';
import { Membership } from '../../federation/membership/membership.js';
import { writeMispFeed } from '../../regulator/export/misp/write-feed.js';
import { mispFeed } from '../../regulator/export/misp/feed.js';
import { exportStixBundle } from '../../regulator/export/stix/bundle.js';
import { regulatorData, type RegulatorSnapshot } from '../../regulator/views/regulator-data.js';
import { openNodeDatabase } from '../../store/database.js';
import { loadNodeConfig, parseCommandArgs, requireOption, type Command } from '../command.js';

/** `cordon export stix | misp`: the regulator's view of the federation in the formats threat analysts use. */

async function snapshotOf(values: { node?: string | boolean | undefined }, command: string): Promise<RegulatorSnapshot> {
  const config = await loadNodeConfig(values);
  if (config.role !== 'regulator') throw new CordonError('INVALID_INPUT', `cordon ${command}: node '${config.id}' is a ${config.role}; exports run on the regulator's node`);
  const membership = await Membership.load(config.manifest_file);
  const db = await openNodeDatabase(config);
  try {
    return await regulatorData({ sql: db.sql, membership }).snapshot();
  } finally {
    await db.close({ stopServer: true });
  }
}

export const exportStix: Command = {
  name: 'export stix',
  summary: "write the regulator's view as a STIX 2.1 bundle",
  help: `Usage: cordon export stix [--out FILE] [--node DIR]

Exports, as one STIX 2.1 bundle (JSON): an identity for the consortium and each provider; a
campaign for each campaign the regulator sees (spanning at least regulator_min_providers);
an indicator for each keyed token (pattern [x-cordon-token:kind = … AND …:value = '<hex>'],
never a hash dictionary: tokens cannot be recomputed without the epoch key); indicates and
targets relationships; a report for each filed report. Ids are UUIDv5 of natural keys, so
re-exports update the same objects. Without --out the bundle goes to standard output.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('export stix', argv, { node: { type: 'string' }, out: { type: 'string' } }, false);
    const bundle = exportStixBundle(await snapshotOf(values, 'export stix'));
    const text = JSON.stringify(bundle, null, 2);
    if (!values.out) {
      io.out(text);
      return 0;
    }
    const out = resolve(values.out);
    await writeFile(out, text + '\n').catch((err: unknown) => {
      throw new CordonError('UNAVAILABLE', `cannot write ${out}: ${errorMessage(err)}`);
    });
    const counts = new Map<string, number>();
    for (const o of bundle.objects) counts.set(o.type, (counts.get(o.type) ?? 0) + 1);
    io.out(`wrote ${out}: ${bundle.objects.length} objects (${[...counts].map(([t, n]) => `${n} ${t}`).join(', ') || 'none'})`);
    return 0;
  },
};

export const exportMisp: Command = {
  name: 'export misp',
  summary: "write the regulator's view as a MISP feed directory",
  help: `Usage: cordon export misp --out DIR [--node DIR]

Writes a MISP feed into DIR: manifest.json, one <uuid>.json per event and hashes.csv, the
layout a MISP instance subscribes to (Sync Actions → Feeds → Add feed, source format "MISP
Feed", URL or local path pointing at DIR). One event per campaign (by the consortium) and per
filed report (by the filing provider). Tokens are attributes of type "anonymised" (category
Other, to_ids off) with their kind and epoch as tags and a comment saying what they are:
keyed tokens, not hashes. Re-running updates events in place and removes event files of
campaigns no longer exported.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('export misp', argv, { node: { type: 'string' }, out: { type: 'string' } }, false);
    const out = resolve(requireOption('export misp', values, 'out'));
    const feed = mispFeed(await snapshotOf(values, 'export misp'));
    const r = await writeMispFeed(out, feed);
    io.out(`wrote ${out}: ${r.events} events, ${r.attributes} attributes${r.removed ? `, removed ${r.removed} stale event files` : ''}`);
    return 0;
  },
};
