import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCaseQuery } from '../../../src/investigate/cases/case-query.js';
import { queryEntry, readQueryEntry } from '../../../src/investigate/cases/log-entries.js';
import { commitQuery, makeOpening, queryBytes, readOpening } from '../../../src/investigate/cases/query-commitment.js';

const X = randomBytes(32);
const query = (value: Uint8Array = X) => ({ epoch: 1, tokens: [{ kind: 5, value }], templates: [] });

describe('query commitment (HMAC-SHA256 under the opener\'s salt)', () => {
  it('hides the query: no plain hash of it, and a fresh salt gives an unlinkable commitment', () => {
    const salt = randomBytes(32);
    const c = commitQuery(salt, query());
    expect(c).toMatch(/^[0-9a-f]{64}$/);
    expect(c).not.toBe(createHash('sha256').update(queryBytes(query())).digest('hex'));
    expect(commitQuery(randomBytes(32), query())).not.toBe(c);
    expect(commitQuery(salt, query())).toBe(c);
    expect(commitQuery(salt, query(randomBytes(32)))).not.toBe(c);
  });

  it('refuses salts that are not 32 bytes (HMAC pads short keys: a fixed length leaves no second key)', () => {
    expect(() => commitQuery(new Uint8Array(31), query())).toThrow(/32 random bytes/);
    expect(() => commitQuery(Buffer.concat([randomBytes(32), Buffer.of(0)]), query())).toThrow(/got 33/);
  });

  it('encodes lists with their lengths, so no two queries share bytes', () => {
    const t = (kind: number) => ({ kind, value: X });
    expect(queryBytes({ epoch: 1, tokens: [t(1)], templates: [] }).equals(queryBytes({ epoch: 1, tokens: [t(1), t(1)], templates: [] }))).toBe(false);
    expect(queryBytes({ epoch: 1, tokens: [], templates: [] })).toHaveLength(8 + 4);
  });

  it('round-trips an opening and checks it as the node checks a query', () => {
    const salt = randomBytes(32);
    const opening = makeOpening({ caseId: `cs-${'a'.repeat(32)}`, node: 'c1', logIndex: 7, salt, query: query() });
    const back = readOpening(JSON.parse(JSON.stringify(opening)), 'test');
    expect(commitQuery(back.salt, back.query)).toBe(commitQuery(salt, query()));
    expect(() => readOpening({ ...opening, salt: 'short' }, 'test')).toThrow(/32 random bytes/);
    expect(() => readOpening({ ...opening, tokens: [{ kind: 5, value: 'zz' }] }, 'test')).toThrow(/token 0: value must be hex/);
    expect(() => readOpening({ ...opening, tokens: [{ kind: 5, value: 'ab' }] }, 'test')).toThrow(/token 0: must be 32 bytes/);
    expect(() => readOpening({ ...opening, log_index: -1 }, 'test')).toThrow(/log_index/);
  });

  it('logs the commitment and counts, never the token or a plain hash of the query', () => {
    const salt = randomBytes(32);
    const e = queryEntry({ node: 'c1', provider: 'p1', caseId: 'cs-1', query: parseCaseQuery(query(), 'q'), commitment: commitQuery(salt, query()), day: '2026-12-04', usedToday: 1, at: new Date(0) });
    const text = Buffer.from(e.entry).toString('utf8');
    const epoch = Buffer.alloc(4);
    epoch.writeUInt32BE(1);
    const oldDigest = createHash('sha256').update(epoch).update(Uint8Array.of(5)).update(X).digest('hex');
    for (const secret of [X.toString('hex'), oldDigest, salt.toString('hex'), salt.toString('base64url')]) expect(text).not.toContain(secret);
    expect(readQueryEntry(e.entry, 'test')).toMatchObject({ provider: 'p1', tokens: 1, templates: 0, query_commitment: commitQuery(salt, query()) });
  });
});
