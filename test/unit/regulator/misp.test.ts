import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CordonError } from '../../../src/errors.js';
import { mispFeed } from '../../../src/regulator/export/misp/feed.js';
import type { MispEvent, MispManifestEntry } from '../../../src/regulator/export/misp/types.js';
import { writeMispFeed } from '../../../src/regulator/export/misp/write-feed.js';
import { rid, sampleSnapshot, tok } from './fixtures.js';

/**
 * The MISP feed layout a MISP instance subscribes to ("MISP Feed" source
 * format): manifest.json maps each event uuid to its summary, <uuid>.json
 * holds {"Event": …}, hashes.csv holds "md5(attribute value),event uuid".
 * Field sets follow MISP's feed export (PyMISP MISPEvent.to_feed/manifest).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MANIFEST_KEYS = ['Orgc', 'Tag', 'analysis', 'date', 'info', 'threat_level_id', 'timestamp'];
/** MISP's feed fields for an event and an attribute (PyMISP _fields_for_feed, plus the nested lists). */
const EVENT_FIELDS = new Set(['uuid', 'info', 'threat_level_id', 'analysis', 'timestamp', 'publish_timestamp', 'published', 'date', 'extends_uuid', 'Orgc', 'Tag', 'Attribute', 'Object']);
const ATTRIBUTE_FIELDS = new Set(['uuid', 'value', 'category', 'type', 'comment', 'data', 'deleted', 'timestamp', 'to_ids', 'disable_correlation', 'first_seen', 'last_seen', 'Tag']);
/** The category/type pairs Cordon uses, as MISP's describeTypes allows them (category_type_mappings). */
const MISP_CATEGORY_TYPES: Record<string, string[]> = {
  Other: ['comment', 'text', 'other', 'size-in-bytes', 'counter', 'datetime', 'cpe', 'port', 'float', 'hex', 'phone-number', 'boolean', 'anonymised', 'pgp-public-key', 'pgp-private-key'],
  Attribution: ['threat-actor', 'campaign-name', 'campaign-id', 'whois-registrant-phone', 'whois-registrant-email', 'whois-registrant-name', 'whois-registrant-org', 'whois-registrar', 'whois-creation-date', 'comment', 'text', 'x509-fingerprint-sha1', 'x509-fingerprint-md5', 'x509-fingerprint-sha256', 'other', 'dns-soa-email', 'anonymised', 'email'],
};

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

async function readFeed(dir: string): Promise<{ manifest: Record<string, MispManifestEntry>; events: Map<string, { Event: MispEvent }>; hashes: string[]; files: string[] }> {
  const files = (await readdir(dir)).sort();
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, MispManifestEntry>;
  const events = new Map<string, { Event: MispEvent }>();
  for (const f of files.filter((f) => f !== 'manifest.json' && f.endsWith('.json'))) {
    events.set(f.slice(0, -5), JSON.parse(await readFile(join(dir, f), 'utf8')) as { Event: MispEvent });
  }
  const hashes = (await readFile(join(dir, 'hashes.csv'), 'utf8')).split('\n').filter(Boolean);
  return { manifest, events, hashes, files };
}

describe('MISP feed export', () => {
  it('writes a feed whose manifest, event files and hashes.csv agree, in the MISP feed format', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-misp-'));
    const snapshot = sampleSnapshot();
    const written = await writeMispFeed(dir, mispFeed(snapshot));
    const { manifest, events, hashes, files } = await readFeed(dir);

    // One event per campaign and per report; manifest keys ↔ event files, exactly.
    expect(written.events).toBe(snapshot.campaigns.length + snapshot.reports.length);
    expect(files).toContain('hashes.csv');
    expect(Object.keys(manifest).sort()).toEqual([...events.keys()].sort());
    expect(events.size).toBe(written.events);

    const allAttributeHashes: string[] = [];
    for (const [uuid, file] of events) {
      expect(uuid).toMatch(UUID);
      const e = file.Event;
      expect(Object.keys(file)).toEqual(['Event']);
      expect(e.uuid).toBe(uuid);
      for (const k of Object.keys(e)) expect(EVENT_FIELDS.has(k), `event field ${k}`).toBe(true);
      expect(e.info.length).toBeGreaterThan(0);
      expect(e.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(e.timestamp).toMatch(/^\d+$/);
      expect(['0', '1', '2']).toContain(e.analysis);
      expect(['1', '2', '3', '4']).toContain(e.threat_level_id);
      expect(e.published).toBe(true);
      expect(e.Orgc.uuid).toMatch(UUID);
      expect(e.Tag.some((t) => t.name === 'tlp:amber')).toBe(true);

      // The manifest entry summarises the event (numbers as numbers, as MISP writes manifests).
      const m = manifest[uuid]!;
      expect(Object.keys(m).sort()).toEqual(MANIFEST_KEYS);
      expect(m).toEqual({ Orgc: e.Orgc, Tag: e.Tag, info: e.info, date: e.date, analysis: Number(e.analysis), threat_level_id: Number(e.threat_level_id), timestamp: Number(e.timestamp) });

      const attrUuids = new Set<string>();
      for (const a of e.Attribute) {
        for (const k of Object.keys(a)) expect(ATTRIBUTE_FIELDS.has(k), `attribute field ${k}`).toBe(true);
        expect(a.uuid).toMatch(UUID);
        attrUuids.add(a.uuid);
        expect(MISP_CATEGORY_TYPES[a.category], `category ${a.category}`).toContain(a.type);
        expect(a.to_ids).toBe(false); // nothing here is something an IDS could see
        allAttributeHashes.push(`${md5(a.value)},${uuid}`);
      }
      expect(attrUuids.size).toBe(e.Attribute.length);
    }
    // hashes.csv lines ↔ md5 of every attribute value, with the event's uuid.
    expect([...hashes].sort()).toEqual(allAttributeHashes.sort());
    for (const line of hashes) expect(line).toMatch(/^[0-9a-f]{32},[0-9a-f-]{36}$/);
  });

  it('represents tokens honestly: anonymised values with kind and epoch, never a hash type', () => {
    const feed = mispFeed(sampleSnapshot());
    const tokens = feed.events.flatMap((e) => e.Event.Attribute.filter((a) => a.type === 'anonymised'));
    expect(tokens.length).toBeGreaterThan(0);
    for (const a of tokens) {
      expect(a.value).toMatch(/^[0-9a-f]{64}$/);
      expect(a.category).toBe('Other');
      expect(a.comment).toMatch(/keyed token of a [a-z_]+ identifier \(epoch \d+\); not a hash/);
      expect(a.Tag!.map((t) => t.name)).toEqual([expect.stringMatching(/^cordon:token-kind="[a-z_]+"$/), expect.stringMatching(/^cordon:token-epoch="\d+"$/)]);
    }
    const types = new Set(feed.events.flatMap((e) => e.Event.Attribute.map((a) => a.type)));
    for (const t of ['md5', 'sha1', 'sha256', 'email', 'ip-src', 'ip-dst', 'phone-number']) expect(types.has(t)).toBe(false);
    // The token shared by cmp-0001, cmp-0002 and a report has one value everywhere, so MISP correlates the events.
    const shared = feed.events.filter((e) => e.Event.Attribute.some((a) => a.value === tok(0xa1)));
    expect(shared).toHaveLength(3);
  });

  it('maps campaigns and reports to events (status, score, labels, filer, narrative; contacts left out)', () => {
    const snapshot = sampleSnapshot();
    const feed = mispFeed(snapshot);
    const event = (info: RegExp) => feed.events.find((e) => info.test(e.Event.info))!.Event;
    const c1 = event(/campaign cmp-0001:/);
    expect(c1).toMatchObject({ analysis: '1', threat_level_id: '1', date: '2026-03-01', Orgc: { name: 'Cordon Consortium' } });
    expect(c1.timestamp).toBe(String(Date.parse('2026-03-10T00:00:00Z') / 1000)); // updated_at: a MISP re-pull picks the change up
    expect(c1.Tag.map((t) => t.name)).toEqual(['tlp:amber', 'cordon:status="active"', 'cordon:label="cot-extraction"', 'cordon:label="distillation"']);
    expect(c1.Attribute.find((a) => a.type === 'campaign-id')!.value).toBe('cmp-0001');
    expect(c1.Attribute.filter((a) => a.type === 'anonymised')).toHaveLength(4);
    const c3 = event(/campaign cmp-0003:/);
    expect(c3.analysis).toBe('2');
    expect(c3.Tag.map((t) => t.name)).toContain('cordon:status="withdrawn"');
    const r = event(new RegExp(`report ${rid(0x42).slice(0, 16)} by Beta Models GmbH on cmp-0001`));
    expect(r.Orgc.name).toBe('Beta Models GmbH');
    expect(r.Attribute.find((a) => a.type === 'text')!.value).toBe(snapshot.reports[0]!.narrative);
    expect(JSON.stringify(feed)).not.toContain('soc@beta.example');
  });

  it('is deterministic, and a re-export updates events in place and drops only its own stale files', async () => {
    expect(JSON.stringify(mispFeed(sampleSnapshot()))).toBe(JSON.stringify(mispFeed(sampleSnapshot())));
    const dir = await mkdtemp(join(tmpdir(), 'cordon-misp-'));
    await writeFile(join(dir, 'README.txt'), 'not ours');
    const first = sampleSnapshot();
    await writeMispFeed(dir, mispFeed(first));
    const second = sampleSnapshot();
    second.campaigns = second.campaigns.filter((c) => c.id !== 'cmp-0002');
    const r = await writeMispFeed(dir, mispFeed(second));
    expect(r.removed).toBe(1);
    const { manifest, events, files } = await readFeed(dir);
    expect(Object.keys(manifest).sort()).toEqual([...events.keys()].sort());
    expect(files).toContain('README.txt');
  });

  it('rejects a view naming an unknown provider, naming the field', () => {
    const s = sampleSnapshot();
    s.reports[1]!.provider = 'prov-z';
    expect(() => mispFeed(s)).toThrow(CordonError);
    expect(() => mispFeed(s)).toThrow(/^reports\[1\]\.provider: unknown provider id "prov-z"$/);
  });
});
