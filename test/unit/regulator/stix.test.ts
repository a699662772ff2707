import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { domainToASCII } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { CordonError } from '../../../src/errors.js';
import {
  CORDON_STIX_NAMESPACE,
  exportStixBundle,
  stixId,
  uuidv5,
  type StixExportInput,
  type StixObject,
} from '../../../src/regulator/export/stix.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** In CI the repo is cloned with shared/ as a sibling of the project root. */
const STIX_DIR = path.resolve(process.cwd(), '../shared/vectors/stix2.1-schemas');
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
    });
}

let ajv: Ajv2020;
const validators = new Map<string, ValidateFunction>();
function validator(rel: string): ValidateFunction {
  let v = validators.get(rel);
  if (!v) {
    v = ajv.getSchema(BASE + rel);
    if (!v) throw new Error(`schema ${rel} not loaded`);
    validators.set(rel, v);
  }
  return v;
}

/** type → schema path relative to BASE, for every loaded per-type schema (SDOs, SROs, SCOs, common). */
const schemaByType = new Map<string, string>();
/** Which schema validates a given object type (custom x-… types have none of their own). */
function schemaFor(type: string): string | undefined {
  return schemaByType.get(type);
}

function expectValid(rel: string, obj: unknown): void {
  const v = validator(rel);
  const ok = v(obj);
  if (!ok) {
    throw new Error(`${rel} rejected ${JSON.stringify(obj).slice(0, 300)}:\n${ajv.errorsText(v.errors, { separator: '\n' })}`);
  }
}

beforeAll(() => {
  // The OASIS patterns use `\-` outside classes, which is illegal with the
  // RegExp `u` flag; unicodeRegExp: false compiles them as the schema authors meant.
  ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  // domain-name.json uses `idn-hostname`, which ajv-formats does not implement:
  // IDNA-map with node's URL machinery, then check the ASCII hostname.
  ajv.addFormat('idn-hostname', (s: string) => {
    const ascii = domainToASCII(s);
    return ascii !== '' && /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(ascii);
  });
  const files = jsonFiles(path.join(STIX_DIR, 'schemas'));
  expect(files.length).toBeGreaterThan(50);
  for (const f of files) {
    const schema = JSON.parse(readFileSync(f, 'utf8')) as { $id?: string };
    expect(schema.$id, f).toMatch(/^http:\/\/raw\.githubusercontent\.com\//);
    ajv.addSchema(schema); // by $id; relative $refs resolve against it, no network
    const rel = schema.$id!.slice(BASE.length);
    if (/^(sdos|sros|observables)\//.test(rel)) schemaByType.set(path.basename(rel, '.json'), rel);
  }
  for (const t of ['bundle', 'marking-definition', 'language-content', 'extension-definition']) {
    schemaByType.set(t, `common/${t}.json`);
  }
});

const tok = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

function sample(): StixExportInput {
  return {
    consortium: { name: 'Cordon Consortium' },
    providers: [
      { id: 'prov-a', organisation: 'Alpha AI Ltd' },
      { id: 'prov-b', organisation: 'Beta Models GmbH' },
      { id: 'prov-c', organisation: 'Gamma Labs Inc' },
    ],
    campaigns: [
      {
        id: 'cmp-0001',
        name: 'Chain-of-thought harvesting ring',
        first_seen: '2026-03-01T10:00:00Z',
        last_seen: '2026-03-09T18:30:15.5+01:00',
        providers: ['prov-a', 'prov-b'],
        score: 0.87,
        labels: ['distillation', 'cot-extraction'],
        indicators: [
          { kind: 'email', token_hex: tok(0xa1), epoch: 3 },
          { kind: 'api_key', token_hex: tok(0xa2).toUpperCase(), epoch: 3 },
          { kind: 'ip_prefix', token_hex: tok(0xa3), epoch: 3 },
          { kind: 'payment', token_hex: tok(0xa4), epoch: 2 },
        ],
        templates: [{ minhash_digest_hex: 'deadbeef00112233' }],
      },
      {
        id: 'cmp-0002',
        first_seen: '2026-04-02T00:00:00.000Z',
        last_seen: '2026-04-02T00:00:00.000Z',
        providers: ['prov-c', 'prov-a', 'prov-c'],
        score: 0,
        labels: [],
        indicators: [
          { kind: 'email', token_hex: tok(0xa1), epoch: 3 }, // shared with cmp-0001
          { kind: 'phone', token_hex: tok(0xb1), epoch: 3 },
          { kind: 'ip', token_hex: tok(0xb2), epoch: 3 },
          { kind: 'asn', token_hex: tok(0xb3), epoch: 3 },
          { kind: 'device', token_hex: tok(0xb4), epoch: 3 },
          { kind: 'org_domain', token_hex: tok(0xb5), epoch: 3 },
        ],
      },
    ],
    reports: [
      {
        id: 'rep-42',
        provider: 'prov-b',
        narrative: 'Coordinated accounts scraping reasoning traces at scale.',
        filed_at: '2026-03-10T09:15:00Z',
        campaign_id: 'cmp-0001',
      },
    ],
  };
}

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
      expectValid(schemaFor(doc.type)!, doc);
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        const rel = schemaFor(o.type);
        if (rel === undefined) {
          expect(o.type).toMatch(/^x-/); // custom objects have no per-type schema
          continue;
        }
        expectValid(rel, o);
      }
    });
  }

  it('rejects what the schemas forbid (the validator is not a no-op)', () => {
    const v = validator('sdos/indicator.json');
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
    expect(validator('common/bundle.json')({ type: 'bundle', id: 'bundle--x', objects: [] })).toBe(false);
  });
});

describe('exportStixBundle', () => {
  it('produces a bundle where every object validates against the OASIS schemas', () => {
    const bundle = exportStixBundle(sample());
    expectValid('common/bundle.json', bundle);
    for (const o of bundle.objects) {
      expect(o.spec_version).toBe('2.1');
      expect(o.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(o.modified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(o.modified >= o.created).toBe(true);
      expectValid(schemaFor(o.type)!, o);
    }
    expect(new Set(bundle.objects.map((o) => o.id)).size).toBe(bundle.objects.length);
  });

  it('emits identities, campaigns, deduplicated indicators, spec-defined relationships and reports', () => {
    const input = sample();
    const { objects } = exportStixBundle(input);
    const ids = new Set(objects.map((o) => o.id));

    const identities = ofType(objects, 'identity');
    expect(identities).toHaveLength(4);
    expect(identities.every((o) => o.identity_class === 'organization')).toBe(true);
    const consortium = identities.find((o) => o.name === 'Cordon Consortium')!;
    expect(consortium.id).toBe(stixId('identity', 'consortium|Cordon Consortium'));

    const campaigns = ofType(objects, 'campaign');
    expect(campaigns).toHaveLength(2);
    const c1 = campaigns.find((c) => c.x_cordon_campaign_id === 'cmp-0001')!;
    expect(c1).toMatchObject({
      name: 'Chain-of-thought harvesting ring',
      first_seen: '2026-03-01T10:00:00.000Z',
      last_seen: '2026-03-09T17:30:15.500Z',
      created: '2026-03-01T10:00:00.000Z',
      modified: '2026-03-09T17:30:15.500Z',
      created_by_ref: consortium.id,
      labels: ['cot-extraction', 'distillation'],
      confidence: 87,
      x_cordon_template_digests: ['deadbeef00112233'],
    });
    const c2 = campaigns.find((c) => c.x_cordon_campaign_id === 'cmp-0002')!;
    expect(c2.name).toBe('Cordon campaign cmp-0002');
    expect(c2.labels).toBeUndefined(); // labels must have ≥ 1 item when present

    const indicators = ofType(objects, 'indicator');
    expect(indicators).toHaveLength(9); // 10 listed, one token shared by both campaigns
    for (const ind of indicators) {
      expect(ind.pattern_type).toBe('stix');
      expect(ind.pattern).toMatch(
        /^\[x-cordon-token:kind = '[a-z_]+' AND x-cordon-token:epoch = \d+ AND x-cordon-token:value = '[0-9a-f]{64}'\]$/,
      );
      expect(ind.valid_from).toBe(ind.created);
    }
    const apiKey = indicators.find((i) => i.x_cordon_token_kind === 'api_key')!;
    expect(apiKey.pattern).toContain(`'${tok(0xa2)}'`); // normalised to lowercase
    const shared = indicators.find((i) => (i.pattern as string).includes(tok(0xa1)))!;
    expect(shared.created).toBe('2026-03-01T10:00:00.000Z');
    expect(shared.modified).toBe('2026-04-02T00:00:00.000Z');

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
    expect(rels.filter((r) => r.relationship_type === 'indicates')).toHaveLength(10);
    expect(rels.filter((r) => r.source_ref === shared.id).map((r) => r.target_ref).sort()).toEqual(
      [c1.id, c2.id].sort(),
    );
    // cmp-0002 lists prov-c twice: one 'targets' relationship per distinct provider.
    expect(rels.filter((r) => r.relationship_type === 'targets' && r.source_ref === c2.id)).toHaveLength(2);

    const [report] = ofType(objects, 'report');
    expect(report).toBeDefined();
    const provB = identities.find((o) => o.x_cordon_provider_id === 'prov-b')!;
    expect(report).toMatchObject({
      created_by_ref: provB.id,
      published: '2026-03-10T09:15:00.000Z',
      description: input.reports![0]!.narrative,
    });
    const refs = report!.object_refs as string[];
    expect(refs).toContain(c1.id);
    expect(refs).toContain(provB.id);
    expect(refs).toHaveLength(1 + 4 + 1);
    for (const ref of refs) expect(ids.has(ref)).toBe(true);
  });

  it('is deterministic and gives re-exports the same ids', () => {
    const a = exportStixBundle(sample());
    const b = exportStixBundle(sample());
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));

    // Input order does not matter.
    const shuffled = sample();
    shuffled.providers.reverse();
    shuffled.campaigns.reverse();
    for (const c of shuffled.campaigns) c.indicators.reverse();
    expect(JSON.stringify(exportStixBundle(shuffled))).toBe(JSON.stringify(a));

    // A grown campaign keeps its id (a new version: later `modified`), and so does every old object.
    const grown = sample();
    grown.campaigns[0]!.last_seen = '2026-05-01T00:00:00Z';
    grown.campaigns[0]!.indicators.push({ kind: 'device', token_hex: tok(0xc1), epoch: 4 });
    const g = exportStixBundle(grown);
    const gIds = new Set(g.objects.map((o) => o.id));
    for (const o of a.objects) expect(gIds.has(o.id)).toBe(true);
    expect(g.objects.length).toBe(a.objects.length + 2); // one indicator, one relationship
    expect(g.id).not.toBe(a.id);
    expectValid('common/bundle.json', g);
  });

  it('uses RFC 9562 UUIDv5 under the documented namespace', () => {
    // RFC 9562 appendix: v5 of "www.example.com" in the DNS namespace.
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    expect(stixId('campaign', 'cmp-0001')).toBe(`campaign--${uuidv5('campaign|cmp-0001', CORDON_STIX_NAMESPACE)}`);
    expect(stixId('campaign', 'cmp-0001')).toMatch(/^campaign--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('cannot carry a raw identifier: every string is structural, a token, or input prose', () => {
    const input = sample();
    const bundle = exportStixBundle(input);
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(bundle);
    const email = /[^\s@'"]+@[^\s@'"]+\.[a-z]{2,}/i;
    const ipv4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/;
    const phone = /\+\d[\d\s-]{6,}/;
    for (const s of strings) {
      expect(s).not.toMatch(email);
      expect(s).not.toMatch(ipv4);
      expect(s).not.toMatch(phone);
    }
    // Every 64-hex run in the output is one of the input tokens.
    const tokens = new Set(input.campaigns.flatMap((c) => c.indicators.map((i) => i.token_hex.toLowerCase())));
    const hexRuns = JSON.stringify(bundle).match(/[0-9a-fA-F]{64}/g) ?? [];
    expect(hexRuns.length).toBeGreaterThan(0);
    for (const h of hexRuns) expect(tokens.has(h)).toBe(true);
  });

  describe('rejects invalid input with CordonError(INVALID_INPUT)', () => {
    const cases: [string, (i: StixExportInput) => void, RegExp][] = [
      ['short token', (i) => void (i.campaigns[0]!.indicators[0]!.token_hex = 'ab'.repeat(31)),
        /campaigns\[0\]\.indicators\[0\]\.token_hex: must be exactly 64 hex characters/],
      ['non-hex token', (i) => void (i.campaigns[1]!.indicators[2]!.token_hex = 'zz'.repeat(32)),
        /campaigns\[1\]\.indicators\[2\]\.token_hex: must be exactly 64 hex characters, got "zzzz/],
      ['unknown kind', (i) => void ((i.campaigns[0]!.indicators[1] as { kind: string }).kind = 'username'),
        /campaigns\[0\]\.indicators\[1\]\.kind: unknown kind "username" \(expected one of email, phone/],
      ['empty providers', (i) => void (i.campaigns[1]!.providers = []),
        /campaigns\[1\]\.providers: must list at least one provider id/],
      ['unknown provider', (i) => void (i.campaigns[0]!.providers = ['prov-a', 'prov-z']),
        /campaigns\[0\]\.providers\[1\]: unknown provider id "prov-z"/],
      ['score out of range', (i) => void (i.campaigns[0]!.score = 1.5), /campaigns\[0\]\.score: must be a number in \[0, 1\]/],
      ['bad timestamp', (i) => void (i.campaigns[0]!.first_seen = '2026-02-30T00:00:00Z'),
        /campaigns\[0\]\.first_seen: not a calendar date/],
      ['non-ISO timestamp', (i) => void (i.campaigns[0]!.first_seen = 'March 1, 2026'),
        /campaigns\[0\]\.first_seen: must be an ISO 8601 timestamp/],
      ['last before first', (i) => void (i.campaigns[0]!.last_seen = '2026-01-01T00:00:00Z'),
        /campaigns\[0\]\.last_seen: .* is before first_seen/],
      ['negative epoch', (i) => void (i.campaigns[0]!.indicators[0]!.epoch = -1), /indicators\[0\]\.epoch: must be a non-negative integer/],
      ['duplicate campaign', (i) => void (i.campaigns[1]!.id = 'cmp-0001'), /campaigns\[1\]\.id: duplicate campaign id "cmp-0001"/],
      ['duplicate provider', (i) => void (i.providers[2]!.id = 'prov-a'), /providers\[2\]\.id: duplicate provider id/],
      ['bad template digest', (i) => void (i.campaigns[0]!.templates = [{ minhash_digest_hex: 'xyz' }]),
        /campaigns\[0\]\.templates\[0\]\.minhash_digest_hex: must be non-empty even-length hex/],
      ['report on unknown campaign', (i) => void (i.reports![0]!.campaign_id = 'cmp-9'),
        /reports\[0\]\.campaign_id: unknown campaign id "cmp-9"/],
      ['report by unknown provider', (i) => void (i.reports![0]!.provider = 'prov-z'),
        /reports\[0\]\.provider: unknown provider id "prov-z"/],
      ['empty consortium name', (i) => void (i.consortium.name = ''), /consortium\.name: must be a non-empty string/],
    ];
    for (const [name, mutate, message] of cases) {
      it(name, () => {
        const input = sample();
        mutate(input);
        let err: unknown;
        try {
          exportStixBundle(input);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CordonError);
        expect((err as CordonError).code).toBe('INVALID_INPUT');
        expect((err as CordonError).message).toMatch(/^stix export: /);
        expect((err as CordonError).message).toMatch(message);
      });
    }
  });
});
