import { describe, expect, it } from 'vitest';
import { acceptsTaxii21 } from '../../../src/regulator/taxii/accept.js';
import { decodeCursor, encodeCursor } from '../../../src/regulator/taxii/cursor.js';
import { parseTaxiiQuery } from '../../../src/regulator/taxii/query.js';
import { TaxiiError } from '../../../src/regulator/taxii/taxii-error.js';
import { formatTimestampUs, parseTimestampUs } from '../../../src/regulator/taxii/timestamps.js';

const q = (s: string, endpoint: Parameters<typeof parseTaxiiQuery>[1] = 'objects') => parseTaxiiQuery(new URLSearchParams(s), endpoint);

function badRequest(f: () => unknown, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TaxiiError);
  expect((err as TaxiiError).status).toBe(400);
  expect((err as TaxiiError).body()).toMatchObject({ title: 'Bad Request', http_status: '400' });
  expect((err as TaxiiError).description).toMatch(message);
}

describe('TAXII Accept negotiation', () => {
  it('accepts the TAXII 2.1 type, its unversioned form and wildcards', () => {
    for (const h of [undefined, '', 'application/taxii+json;version=2.1', 'application/taxii+json; version="2.1"', 'application/taxii+json', '*/*', 'application/*',
      'application/json;q=0.9, application/taxii+json;version=2.1', 'text/html, */*;q=0.1']) {
      expect(acceptsTaxii21(h), String(h)).toBe(true);
    }
  });
  it('refuses other types, TAXII 2.0, and q=0', () => {
    for (const h of ['application/json', 'application/taxii+json;version=2.0', 'application/stix+json;version=2.1', 'application/vnd.oasis.taxii+json',
      'application/taxii+json;version=2.1;q=0', 'text/*']) {
      expect(acceptsTaxii21(h), h).toBe(false);
    }
  });
});

describe('TAXII timestamps', () => {
  it('round-trips microseconds and reads any RFC 3339 form', () => {
    const us = parseTimestampUs('2026-03-01T12:00:00.123456Z')!;
    expect(formatTimestampUs(us)).toBe('2026-03-01T12:00:00.123456Z');
    expect(parseTimestampUs('2026-03-01T12:00:00Z')).toBe(BigInt(Date.parse('2026-03-01T12:00:00Z')) * 1000n);
    expect(parseTimestampUs('2026-03-01T13:00:00.5+01:00')).toBe(BigInt(Date.parse('2026-03-01T12:00:00Z')) * 1000n + 500_000n);
    expect(parseTimestampUs('2026-03-01T12:00:00.123456789Z')).toBe(us); // sub-µs digits dropped
    for (const bad of ['2026-02-30T00:00:00Z', '2026-03-01', 'yesterday', '2026-03-01T12:00:00', '2026-03-01T24:00:00Z']) expect(parseTimestampUs(bad), bad).toBeUndefined();
  });
});

describe('TAXII query parameters', () => {
  it('defaults to the latest versions, 100 per page', () => {
    expect(q('')).toEqual({ limit: 100, versions: { all: false, first: false, last: true, exact: [] }, specVersionMatches: true });
  });

  it('reads filters, limits (capped at the largest page) and cursors', () => {
    const cursor = encodeCursor({ dateAddedUs: 123n, objectId: 'indicator--00000000-0000-0000-0000-000000000000', version: '2026-03-01T00:00:00.000Z' });
    const p = q(`added_after=2026-03-01T00:00:00Z&limit=5000&next=${cursor}&match[type]=indicator,campaign&match[id]=report--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f&match[version]=first,2026-03-01T00:00:00.000Z&match[spec_version]=2.0,2.1`);
    expect(p.addedAfterUs).toBe(BigInt(Date.parse('2026-03-01T00:00:00Z')) * 1000n);
    expect(p.limit).toBe(1000);
    expect(p.next).toEqual(decodeCursor(cursor));
    expect(p.types).toEqual(['indicator', 'campaign']);
    expect(p.ids).toEqual(['report--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f']);
    expect(p.versions).toEqual({ all: false, first: true, last: false, exact: ['2026-03-01T00:00:00.000Z'] });
    expect(p.specVersionMatches).toBe(true);
    expect(q('match[spec_version]=2.0').specVersionMatches).toBe(false);
  });

  const invalid: [string, string, RegExp][] = [
    ['an unknown parameter', 'match[colour]=red', /^unknown query parameter 'match\[colour\]' \(this endpoint takes added_after, limit, next/],
    ['a misspelt one', 'added_since=2026-01-01T00:00:00Z', /^unknown query parameter 'added_since'/],
    ['a repeated one', 'limit=1&limit=2', /^query parameter 'limit' is given more than once/],
    ['a bad timestamp', 'added_after=yesterday', /^added_after: 'yesterday' is not an RFC 3339 timestamp/],
    ['a zero limit', 'limit=0', /^limit: '0' is not a positive integer$/],
    ['a negative limit', 'limit=-5', /^limit: '-5' is not a positive integer$/],
    ['a fractional limit', 'limit=2.5', /^limit: '2.5' is not a positive integer$/],
    ['a forged cursor', 'next=abc', /^next 'abc' is not a page token this server issued/],
    ['a bad type', 'match[type]=Indicator', /^match\[type\]: 'Indicator' is not a STIX object type$/],
    ['a bad id', 'match[id]=indicator--1', /^match\[id\]: 'indicator--1' is not a STIX identifier/],
    ['a bad version', 'match[version]=newest', /^match\[version\]: 'newest' is not 'all', 'first', 'last' or an RFC 3339 timestamp$/],
    ['a bad spec version', 'match[spec_version]=two', /^match\[spec_version\]: 'two' is not a spec version/],
  ];
  for (const [name, query, message] of invalid) it(`answers 400 for ${name}`, () => badRequest(() => q(query), message));

  it('takes only the parameters each endpoint defines', () => {
    badRequest(() => q('match[type]=indicator', 'object'), /^unknown query parameter 'match\[type\]'/);
    badRequest(() => q('match[version]=all', 'versions'), /^unknown query parameter 'match\[version\]'/);
    expect(q('match[version]=all', 'object').versions.all).toBe(true);
  });
});
