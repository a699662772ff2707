import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './constants.js';
import { decodeCursor, type Cursor } from './cursor.js';
import { badRequest } from './taxii-error.js';
import { parseTimestampUs } from './timestamps.js';

/**
 * The URL parameters of the paged TAXII endpoints (spec §3.4–3.5), checked
 * strictly: an unknown parameter, a repeated one or a malformed value is a
 * 400 naming it, never silently ignored (a typo in a filter would otherwise
 * return everything).
 */
export interface VersionFilter {
  all: boolean;
  first: boolean;
  last: boolean;
  /** Exact versions (`modified`), in the store's form YYYY-MM-DDTHH:MM:SS.mmmZ. */
  exact: string[];
}

export interface TaxiiQuery {
  addedAfterUs?: bigint;
  limit: number;
  next?: Cursor;
  ids?: string[];
  types?: string[];
  versions: VersionFilter;
  /** False when match[spec_version] excludes 2.1, the only version held. */
  specVersionMatches: boolean;
}

export type Endpoint = 'objects' | 'object' | 'manifest' | 'versions';

const ALLOWED: Record<Endpoint, readonly string[]> = {
  objects: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  manifest: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  object: ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]'],
  versions: ['added_after', 'limit', 'next', 'match[spec_version]'],
};

const STIX_TYPE = /^[a-z][a-z0-9-]{1,249}$/;
const STIX_ID = /^[a-z][a-z0-9-]{1,249}--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SPEC_VERSION = /^\d+\.\d+$/;

function list(name: string, raw: string, check: (v: string) => boolean, what: string): string[] {
  const values = raw.split(',').map((v) => v.trim());
  for (const v of values) if (!check(v)) throw badRequest(`${name}: '${v.slice(0, 80)}' is not ${what}`);
  return values;
}

/** Timestamps as the store writes versions: UTC, milliseconds, 'Z' (STIX `modified`). */
function versionForm(us: bigint): string {
  return new Date(Number(us / 1000n)).toISOString();
}

export function parseTaxiiQuery(params: URLSearchParams, endpoint: Endpoint): TaxiiQuery {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!ALLOWED[endpoint].includes(name)) {
      throw badRequest(`unknown query parameter '${name.slice(0, 80)}' (this endpoint takes ${ALLOWED[endpoint].join(', ')})`);
    }
    if (seen.has(name)) throw badRequest(`query parameter '${name}' is given more than once (give one, with comma-separated values where it takes several)`);
    seen.add(name);
  }
  const q: TaxiiQuery = { limit: DEFAULT_PAGE_LIMIT, versions: { all: false, first: false, last: true, exact: [] }, specVersionMatches: true };
  const addedAfter = params.get('added_after');
  if (addedAfter !== null) {
    const us = parseTimestampUs(addedAfter);
    if (us === undefined) throw badRequest(`added_after: '${addedAfter.slice(0, 80)}' is not an RFC 3339 timestamp like 2026-03-01T12:00:00.000000Z`);
    q.addedAfterUs = us;
  }
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1) throw badRequest(`limit: '${limit.slice(0, 80)}' is not a positive integer`);
    // A larger limit is allowed and served as the largest page (spec: the server may return fewer).
    q.limit = Math.min(Number(limit), MAX_PAGE_LIMIT);
  }
  const next = params.get('next');
  if (next !== null) q.next = decodeCursor(next);
  const ids = params.get('match[id]');
  if (ids !== null) q.ids = list('match[id]', ids, (v) => STIX_ID.test(v), 'a STIX identifier like indicator--<uuid>');
  const types = params.get('match[type]');
  if (types !== null) q.types = list('match[type]', types, (v) => STIX_TYPE.test(v), 'a STIX object type');
  const versions = params.get('match[version]');
  if (versions !== null) {
    const f: VersionFilter = { all: false, first: false, last: false, exact: [] };
    for (const v of list('match[version]', versions, (v) => ['all', 'first', 'last'].includes(v) || parseTimestampUs(v) !== undefined, "'all', 'first', 'last' or an RFC 3339 timestamp")) {
      if (v === 'all' || v === 'first' || v === 'last') f[v] = true;
      else {
        const us = parseTimestampUs(v)!;
        // Versions are held to the millisecond; a finer timestamp names no version held.
        if (us % 1000n === 0n) f.exact.push(versionForm(us));
      }
    }
    q.versions = f;
  }
  const spec = params.get('match[spec_version]');
  if (spec !== null) q.specVersionMatches = list('match[spec_version]', spec, (v) => SPEC_VERSION.test(v), 'a spec version like 2.1').includes('2.1');
  return q;
}
