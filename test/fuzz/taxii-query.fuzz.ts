import fc from 'fast-check';
import { decodeCursor, encodeCursor } from '../../src/regulator/taxii/cursor.js';
import { parseTaxiiQuery, type Endpoint } from '../../src/regulator/taxii/query.js';
import { MAX_PAGE_LIMIT } from '../../src/regulator/taxii/constants.js';
import { mutatedText } from './harness/mutate.js';
import { invariant, outcomeOf } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * TAXII 2.1 query strings (regulator/taxii/query.ts), as the HTTP server
 * hands them over after URL decoding: real queries, edited at the level of
 * the raw query string (so percent-escapes, '&', '=' and '+' get broken),
 * with real and forged page cursors. The answer is a query or a 400 naming
 * the parameter; an accepted query stays within the page limit.
 */
const ENDPOINTS: Endpoint[] = ['objects', 'object', 'manifest', 'versions'];
const CURSOR = encodeCursor({ dateAddedUs: 1_750_000_000_000_000n, objectId: 'indicator--0b2a6a38-5b56-4b6e-9d1c-1b2a5c0d9e11', version: '2026-11-27T10:00:00.000Z' });
const QUERIES = [
  'added_after=2026-03-01T12:00:00.000000Z&limit=50',
  'match[id]=indicator--0b2a6a38-5b56-4b6e-9d1c-1b2a5c0d9e11,campaign--0b2a6a38-5b56-4b6e-9d1c-1b2a5c0d9e12&match[type]=indicator,campaign',
  'match[version]=all,first,last,2026-11-27T10:00:00.123Z&match[spec_version]=2.1,2.0',
  `next=${CURSOR}&limit=1000000000`,
  'added_after=2026-02-29T00:00:00Z&match%5Bversion%5D=2026-11-27T10%3A00%3A00.000001%2B01%3A00',
];

export default defineTarget({
  name: 'taxii-query',
  covers: 'TAXII query parameters and page cursors (parseTaxiiQuery, decodeCursor)',
  async prepare() {
    return prepared({
      arbitrary: fc.record({
        query: fc.oneof(mutatedText(fc.constantFrom(...QUERIES), 4), fc.string({ maxLength: 120 })),
        endpoint: fc.constantFrom(...ENDPOINTS),
        cursor: fc.oneof(mutatedText(fc.constant(CURSOR), 3), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url'))),
      }),
      check({ query, endpoint, cursor }) {
        const cursorOutcome = outcomeOf(() => decodeCursor(cursor), { kind: 'taxii' }, (c) => {
          invariant(c.dateAddedUs >= 0n && typeof c.objectId === 'string' && typeof c.version === 'string', 'a cursor with a malformed position');
        });
        const outcome = outcomeOf(() => parseTaxiiQuery(new URLSearchParams(query), endpoint), { kind: 'taxii' }, (q) => {
          invariant(Number.isInteger(q.limit) && q.limit >= 1 && q.limit <= MAX_PAGE_LIMIT, `limit ${q.limit} outside 1–${MAX_PAGE_LIMIT}`);
          invariant(q.addedAfterUs === undefined || typeof q.addedAfterUs === 'bigint', 'added_after is not a bigint');
          for (const v of q.versions.exact) invariant(!Number.isNaN(Date.parse(v)), `exact version '${v}' is not a time`);
        });
        return `${outcome}/cursor-${cursorOutcome}`;
      },
    });
  },
});
