import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { domainToASCII, fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/**
 * The official OASIS STIX 2.1 JSON schemas (test/vectors/stix2.1-schemas, BSD-3-Clause),
 * loaded into ajv once, offline: every exporter test validates what it emits
 * against them.
 */

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** Copied into the repository (source and licence in test/vectors/README.md): a clone alone runs the tests. */
export const STIX_DIR = fileURLToPath(new URL('../../vectors/stix2.1-schemas', import.meta.url));
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

export function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
    });
}

export interface StixSchemas {
  /** Number of schema files loaded. */
  readonly count: number;
  /** Which schema (path relative to the schemas root) validates objects of `type`; custom x-… types have none. */
  schemaFor(type: string): string | undefined;
  validator(rel: string): ValidateFunction;
  /** Throws with ajv's errors unless `obj` is valid against schema `rel`. */
  expectValid(rel: string, obj: unknown): void;
  /** Validates a bundle and each object in it against its type's schema. */
  expectValidBundle(bundle: { objects: { type: string }[] }): void;
}

let loaded: StixSchemas | undefined;

export function stixSchemas(): StixSchemas {
  if (loaded) return loaded;
  // The OASIS patterns use `\-` outside classes, which is illegal with the
  // RegExp `u` flag; unicodeRegExp: false compiles them as the schema authors meant.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  // domain-name.json uses `idn-hostname`, which ajv-formats does not implement:
  // IDNA-map with node's URL machinery, then check the ASCII hostname.
  ajv.addFormat('idn-hostname', (s: string) => {
    const ascii = domainToASCII(s);
    return ascii !== '' && /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(ascii);
  });
  const schemaByType = new Map<string, string>();
  const files = jsonFiles(path.join(STIX_DIR, 'schemas'));
  for (const f of files) {
    const schema = JSON.parse(readFileSync(f, 'utf8')) as { $id?: string };
    if (!schema.$id?.startsWith('http://raw.githubusercontent.com/')) throw new Error(`${f}: unexpected $id ${schema.$id}`);
    ajv.addSchema(schema); // by $id; relative $refs resolve against it, no network
    const rel = schema.$id.slice(BASE.length);
    if (/^(sdos|sros|observables)\//.test(rel)) schemaByType.set(path.basename(rel, '.json'), rel);
  }
  for (const t of ['bundle', 'marking-definition', 'language-content', 'extension-definition']) schemaByType.set(t, `common/${t}.json`);
  const validators = new Map<string, ValidateFunction>();
  const validator = (rel: string): ValidateFunction => {
    let v = validators.get(rel);
    if (!v) {
      v = ajv.getSchema(BASE + rel);
      if (!v) throw new Error(`schema ${rel} not loaded`);
      validators.set(rel, v);
    }
    return v;
  };
  const expectValid = (rel: string, obj: unknown): void => {
    const v = validator(rel);
    if (!v(obj)) throw new Error(`${rel} rejected ${JSON.stringify(obj).slice(0, 300)}:\n${ajv.errorsText(v.errors, { separator: '\n' })}`);
  };
  loaded = {
    count: files.length,
    schemaFor: (type) => schemaByType.get(type),
    validator,
    expectValid,
    expectValidBundle: (bundle) => {
      expectValid('common/bundle.json', bundle);
      for (const o of bundle.objects) {
        const rel = schemaByType.get(o.type);
        if (!rel) throw new Error(`no schema for object type ${o.type}`);
        expectValid(rel, o);
      }
    },
  };
  return loaded;
}
