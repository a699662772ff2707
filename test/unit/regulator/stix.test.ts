import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CordonError } from '../../../src/errors.js';
import { exportStixBundle } from '../../../src/regulator/export/stix/bundle.js';
import { CORDON_STIX_NAMESPACE, stixId, uuidv5 } from '../../../src/regulator/export/stix/ids.js';
import type { StixObject } from '../../../src/regulator/export/stix/objects.js';
import type { RegulatorSnapshot } from '../../../src/regulator/views/regulator-data.js';
import { rid, sampleSnapshot, tok } from './fixtures.js';
import { jsonFiles, STIX_DIR, stixSchemas, type StixSchemas } from './stix-schemas.js';

let schemas: StixSchemas;
beforeAll(() => {
  schemas = stixSchemas();
  expect(schemas.count).toBeGreaterThan(50);
});

const ofType = (objs: StixObject[], t: string): StixObject[] => objs.filter((o) => o.type === t);

describe('validator setup against the official OASIS examples', () => {
  const exampleDir = path.join(STIX_DIR, 'examples');
  const examples = jsonFiles(exampleDir);

  it('finds the example bundles', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  for (const file of examples) {
    it(`accepts ${path.relative(exampleDir, file)}`, () => {
      // Most examples are bundles; interop-objectmarking-test.json is a single campaign.
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { type: string; objects?: StixObject[] };
      const objs = doc.type === 'bundle' ? (doc.objects ?? []) : [doc as StixObject];
      schemas.expectValid(schemas.schemaFor(doc.type)!, doc);
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        const rel = schemas.schemaFor(o.type);
        if (rel === undefined) {
          expect(o.type).toMatch(/^x-/); // custom objects have no per-type schema
          continue;
        }
        schemas.expectValid(rel, o);
      }
    });
  }

  it('rejects what the schemas forbid (the validator is not a no-op)', () => {
    const v = schemas.validator('sdos/indicator.json');
    const good = {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      created: '2016-04-06T20:03:48.000Z',
      modified: '2016-04-06T20:03:48.000Z',
      pattern: "[ipv4-addr:value = '10.0.0.1']",
      pattern_type: 'stix',
      valid_from: '2016-01-01T00:00:00Z',
    };
    expect(v(good)).toBe(true);
    expect(v({ ...good, created: '2016-04-06T20:03:48Z' })).toBe(false); // no milliseconds
    expect(v({ ...good, id: 'indicator--not-a-uuid' })).toBe(false);
    const { pattern: _p, ...noPattern } = good;
    expect(v(noPattern)).toBe(false);
    expect(schemas.validator('common/bundle.json')({ type: 'bundle', id: 'bundle--x', objects: [] })).toBe(false);
    expect(schemas.validator('sdos/campaign.json')({ ...good, type: 'campaign', id: 'campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', labels: [] })).toBe(false);
  });
});

describe('exportStixBundle', () => {
  it('produces a bundle where every object validates against the OASIS schemas', () => {
    const bundle = exportStixBundle(sampleSnapshot());
    schemas.expectValidBundle(bundle);
    for (const o of bundle.objects) {
      expect(o.spec_version).toBe('2.1');
      expect(o.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(o.modified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(o.modified >= o.created).toBe(true);
    }
    expect(new Set(bundle.objects.map((o) => o.id)).size).toBe(bundle.objects.length);
  });

  it('validates for edge inputs too: no campaigns, no reports, only a withdrawn campaign', () => {
    const s = sampleSnapshot();
    for (const variant of [
      { ...s, campaigns: [], reports: [] },
      { ...s, reports: [] },
      { ...s, campaigns: [] },
      { ...s, campaigns: [s.campaigns[2]!], reports: [] },
    ]) schemas.expectValidBundle(exportStixBundle(variant));
  });

  it('emits identities, campaigns, deduplicated indicators, spec-defined relationships and reports', () => {
    const input = sampleSnapshot();
    const { objects } = exportStixBundle(input);
    const ids = new Set(objects.map((o) => o.id));

    const identities = ofType(objects, 'identity');
    expect(identities).toHaveLength(4);
    expect(identities.every((o) => o.identity_class === 'organization')).toBe(true);
    const consortium = identities.find((o) => o.name === 'Cordon Consortium')!;
    expect(consortium.id).toBe(stixId('identity', 'consortium|Cordon Consortium'));
    expect(consortium.modified).toBe('2026-02-01T00:00:00.000Z'); // versioned by the manifest's issue time

    const campaigns = ofType(objects, 'campaign');
    expect(campaigns).toHaveLength(3);
    const c1 = campaigns.find((c) => c.x_cordon_campaign_id === 'cmp-0001')!;
    expect(c1).toMatchObject({
      name: 'Cordon campaign cmp-0001',
      first_seen: '2026-03-01T10:00:00.000Z',
      last_seen: '2026-03-09T17:30:15.500Z',
      created: '2026-03-01T10:00:00.000Z',
      modified: '2026-03-10T00:00:00.000Z', // updated_at: the view's version stamp
      created_by_ref: consortium.id,
      labels: ['cot-extraction', 'distillation'],
      confidence: 87,
      x_cordon_status: 'active',
      x_cordon_provider_count: 2,
      x_cordon_record_count: 40,
      x_cordon_account_count: 31,
      x_cordon_shared_token_kinds: ['api_key', 'email', 'ip_prefix', 'payment'],
      x_cordon_template_similarity: 0.91,
    });
    expect(c1.revoked).toBeUndefined();
    const c2 = campaigns.find((c) => c.x_cordon_campaign_id === 'cmp-0002')!;
    expect(c2.labels).toBeUndefined(); // labels must have ≥ 1 item when present
    expect(c2.x_cordon_template_similarity).toBeUndefined();
    const c3 = campaigns.find((c) => c.x_cordon_campaign_id === 'cmp-0003')!;
    expect(c3).toMatchObject({ revoked: true, x_cordon_status: 'withdrawn' });

    const indicators = ofType(objects, 'indicator');
    // 4 + 6 + 1 in campaigns (one shared) + 2 new in reports (one already in cmp-0001)
    expect(indicators).toHaveLength(10 + 1 + 1);
    for (const ind of indicators) {
      expect(ind.pattern_type).toBe('stix');
      expect(ind.pattern).toMatch(/^\[x-cordon-token:kind = '[a-z_]+' AND x-cordon-token:epoch = \d+ AND x-cordon-token:value = '[0-9a-f]{64}'\]$/);
      expect(ind.valid_from).toBe(ind.created);
      expect(ind).not.toHaveProperty('hashes'); // keyed tokens are not hashes anyone could recompute
    }
    const byToken = (t: string) => indicators.find((i) => (i.pattern as string).includes(t))!;
    expect(byToken(tok(0xa2)).pattern).toContain(`'${tok(0xa2)}'`); // normalised to lowercase
    const shared = byToken(tok(0xa1));
    expect(shared.created).toBe('2026-03-01T10:00:00.000Z');
    expect(shared.modified).toBe('2026-04-02T00:00:00.000Z');
    expect(byToken(tok(0xc3)).revoked).toBe(true); // only a withdrawn campaign carries it
    expect(byToken(tok(0xd1)).revoked).toBeUndefined(); // a report carries it

    const rels = ofType(objects, 'relationship');
    expect(new Set(rels.map((r) => r.relationship_type))).toEqual(new Set(['indicates', 'targets']));
    for (const r of rels) {
      expect(ids.has(r.source_ref as string)).toBe(true);
      expect(ids.has(r.target_ref as string)).toBe(true);
      if (r.relationship_type === 'indicates') {
        expect(r.source_ref).toMatch(/^indicator--/);
        expect(r.target_ref).toMatch(/^campaign--/);
      } else {
        expect(r.source_ref).toMatch(/^campaign--/);
        expect(r.target_ref).toMatch(/^identity--/);
      }
    }
    expect(rels.filter((r) => r.relationship_type === 'indicates')).toHaveLength(11);
    expect(rels.filter((r) => r.source_ref === shared.id).map((r) => r.target_ref).sort()).toEqual([c1.id, c2.id].sort());
    // cmp-0002 lists prov-c twice: one 'targets' relationship per distinct provider.
    expect(rels.filter((r) => r.relationship_type === 'targets' && r.source_ref === c2.id)).toHaveLength(2);

    const reports = ofType(objects, 'report');
    expect(reports).toHaveLength(2);
    const onCampaign = reports.find((r) => r.x_cordon_report_id === rid(0x42))!;
    const provB = identities.find((o) => o.x_cordon_provider_id === 'prov-b')!;
    expect(onCampaign).toMatchObject({
      created_by_ref: provB.id,
      created: '2026-03-10T09:00:00.000Z',
      published: '2026-03-10T09:15:00.000Z',
      description: input.reports[0]!.narrative,
      report_types: ['campaign'],
    });
    expect(onCampaign.object_refs).toEqual([c1.id, ...[byToken(tok(0xa1)).id, byToken(tok(0xd1)).id].sort(), provB.id]);
    expect(JSON.stringify(onCampaign)).not.toContain('soc@beta.example'); // contacts stay out of exports
    // A report on a campaign the regulator does not see refers to its indicators and filer only.
    const offCampaign = reports.find((r) => r.x_cordon_report_id === rid(0x43))!;
    expect(offCampaign.report_types).toEqual(['threat-report']);
    expect(offCampaign.object_refs).toHaveLength(2);
    for (const r of reports) for (const ref of r.object_refs as string[]) expect(ids.has(ref)).toBe(true);
  });

  it('is deterministic, independent of input order, and gives re-exports the same ids', () => {
    const a = exportStixBundle(sampleSnapshot());
    expect(JSON.stringify(exportStixBundle(sampleSnapshot()))).toBe(JSON.stringify(a));

    const shuffled = sampleSnapshot();
    shuffled.directory.providers.reverse();
    shuffled.campaigns.reverse();
    shuffled.reports.reverse();
    for (const c of shuffled.campaigns) c.indicators.reverse();
    expect(JSON.stringify(exportStixBundle(shuffled))).toBe(JSON.stringify(a));

    // A grown campaign keeps its id (a new version: later `modified`), and so does every old object.
    const grown = sampleSnapshot();
    grown.campaigns[0]!.updated_at = '2026-05-01T00:00:00Z';
    grown.campaigns[0]!.indicators.push({ kind: 'device', token_hex: tok(0xc1), epoch: 4 });
    const g = exportStixBundle(grown);
    const gById = new Map(g.objects.map((o) => [o.id, o]));
    for (const o of a.objects) expect(gById.has(o.id)).toBe(true);
    expect(g.objects.length).toBe(a.objects.length + 2); // one indicator, one relationship
    const c1 = a.objects.find((o) => o.x_cordon_campaign_id === 'cmp-0001')!;
    expect(gById.get(c1.id)!.modified).toBe('2026-05-01T00:00:00.000Z');
    expect(g.id).not.toBe(a.id);
    schemas.expectValidBundle(g);
  });

  it('uses RFC 9562 UUIDv5 under the documented namespace', () => {
    // RFC 9562 appendix: v5 of "www.example.com" in the DNS namespace.
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(stixId('campaign', 'cmp-0001')).toBe(`campaign--${uuidv5('campaign|cmp-0001', CORDON_STIX_NAMESPACE)}`);
    expect(stixId('campaign', 'cmp-0001')).toMatch(/^campaign--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('cannot carry a raw identifier: every string is structural, a token, or a checked narrative', () => {
    const input = sampleSnapshot();
    const bundle = exportStixBundle(input);
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(bundle);
    for (const s of strings) {
      expect(s).not.toMatch(/[^\s@'"]+@[^\s@'"]+\.[a-z]{2,}/i);
      expect(s).not.toMatch(/\b\d{1,3}(?:\.\d{1,3}){3}\b/);
      expect(s).not.toMatch(/\+\d[\d\s-]{6,}/);
    }
    // Every 64-hex run in the output is one of the input tokens or a report id.
    const known = new Set([
      ...input.campaigns.flatMap((c) => c.indicators.map((i) => i.token_hex.toLowerCase())),
      ...input.reports.flatMap((r) => [r.id, ...r.indicators.map((i) => i.token_hex)]),
    ]);
    const hexRuns = JSON.stringify(bundle).match(/[0-9a-fA-F]{64}/g) ?? [];
    expect(hexRuns.length).toBeGreaterThan(0);
    for (const h of hexRuns) expect(known.has(h)).toBe(true);
  });

  describe('rejects invalid input with CordonError(INVALID_INPUT) naming the field', () => {
    const cases: [string, (i: RegulatorSnapshot) => void, RegExp][] = [
      ['short token', (i) => void (i.campaigns[0]!.indicators[0]!.token_hex = 'ab'.repeat(31)),
        /^campaigns\[0\]\.indicators\[0\]\.token_hex: must be exactly 64 hex characters \(a keyed token\), got 62 characters$/],
      ['a raw identifier instead of a token (never echoed)', (i) => void (i.campaigns[1]!.indicators[2]!.token_hex = 'alice@example.com'),
        /^campaigns\[1\]\.indicators\[2\]\.token_hex: must be exactly 64 hex characters \(a keyed token\), got 17 characters with non-hex ones$/],
      ['unknown kind', (i) => void ((i.campaigns[0]!.indicators[1] as { kind: string }).kind = 'username'),
        /^campaigns\[0\]\.indicators\[1\]\.kind: unknown kind "username" \(expected one of email, phone/],
      ['empty providers', (i) => void (i.campaigns[1]!.providers = []), /^campaigns\[1\]\.providers: must name at least one provider$/],
      ['unknown provider', (i) => void (i.campaigns[0]!.providers = ['prov-a', 'prov-z']), /^campaigns\[0\]\.providers\[1\]: unknown provider id "prov-z"$/],
      ['count below the providers named', (i) => void (i.campaigns[0]!.provider_count = 1), /^campaigns\[0\]\.provider_count: 1 is less than the 2 providers named$/],
      ['score out of range', (i) => void (i.campaigns[0]!.score = 1.5), /^campaigns\[0\]\.score: must be a number in \[0, 1\]/],
      ['similarity out of range', (i) => void (i.campaigns[0]!.template_similarity = -0.1), /^campaigns\[0\]\.template_similarity: must be a number in \[0, 1\]/],
      ['bad status', (i) => void ((i.campaigns[0] as { status: string }).status = 'closed'), /^campaigns\[0\]\.status: must be one of active, withdrawn, got "closed"$/],
      ['bad shared kind', (i) => void ((i.campaigns[0] as { shared_token_kinds: string[] }).shared_token_kinds = ['email', 'iban']), /^campaigns\[0\]\.shared_token_kinds\[1\]: unknown token kind "iban"/],
      ['negative count', (i) => void (i.campaigns[2]!.record_count = -1), /^campaigns\[2\]\.record_count: must be a non-negative integer/],
      ['bad timestamp', (i) => void (i.campaigns[0]!.first_seen = '2026-02-30T00:00:00Z'), /^campaigns\[0\]\.first_seen: not a calendar date/],
      ['non-ISO timestamp', (i) => void (i.campaigns[0]!.updated_at = 'March 1, 2026'), /^campaigns\[0\]\.updated_at: must be an ISO 8601 timestamp/],
      ['last before first', (i) => void (i.campaigns[0]!.last_seen = '2026-01-01T00:00:00Z'), /^campaigns\[0\]\.last_seen: .* is before first_seen/],
      ['negative epoch', (i) => void (i.campaigns[0]!.indicators[0]!.epoch = -1), /indicators\[0\]\.epoch: must be an integer in \[0, 4294967295\]/],
      ['duplicate campaign', (i) => void (i.campaigns[1]!.id = 'cmp-0001'), /^campaigns\[1\]\.id: duplicate campaign id "cmp-0001"$/],
      ['campaign id with a slash', (i) => void (i.campaigns[1]!.id = 'cmp/1'), /^campaigns\[1\]\.id: must be 1–128 chars/],
      ['duplicate provider', (i) => void (i.directory.providers[2]!.id = 'prov-a'), /^directory\.providers\[2\]\.id: duplicate provider id/],
      ['report by unknown provider', (i) => void (i.reports[0]!.provider = 'prov-z'), /^reports\[0\]\.provider: unknown provider id "prov-z"$/],
      ['report id not a digest', (i) => void (i.reports[1]!.id = 'rep-42'), /^reports\[1\]\.id: must be 64 lowercase hex characters/],
      ['duplicate report', (i) => void (i.reports[1]!.id = rid(0x42)), /^reports\[1\]\.id: duplicate report id/],
      ['empty consortium name', (i) => void (i.directory.consortium = ''), /^directory\.consortium: must be a non-empty string/],
    ];
    for (const [name, mutate, message] of cases) {
      it(name, () => {
        const input = sampleSnapshot();
        mutate(input);
        let err: unknown;
        try {
          exportStixBundle(input);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CordonError);
        expect((err as CordonError).code).toBe('INVALID_INPUT');
        expect((err as CordonError).message).toMatch(message);
      });
    }
  });
});
