import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinaryCopyWriter } from '../../../src/store/copy-binary.js';
import { copyBinary } from '../../../src/store/chain-store.js';
import { createTestDatabase } from '../../support/postgres.js';

/** The binary COPY encoder against a real PostgreSQL: what goes in comes back out. */
describe('binary COPY encoder', () => {
  let sql: postgres.Sql;
  beforeAll(async () => {
    sql = postgres(await createTestDatabase('copy'), { max: 1, onnotice: () => undefined, types: { bigint: postgres.BigInt } });
    await sql`CREATE TABLE t (a text, b integer, c bigint, d smallint, e real, f bytea, g timestamptz, h text[], i text)`;
  });
  afterAll(async () => {
    await sql.end();
  });

  it('round-trips every supported type, including unicode, empty arrays and nulls', async () => {
    const w = new BinaryCopyWriter(16); // tiny start: forces the buffer to grow
    const when = Date.parse('2026-11-27T08:01:02.345Z');
    w.row([{ t: 'text', v: 'héllo ✓' }, { t: 'int4', v: -7 }, { t: 'int8', v: 9_007_199_254_740_993n }, { t: 'int2', v: 3 }, { t: 'float4', v: 0.25 }, { t: 'bytea', v: new Uint8Array([0, 255, 1]) }, { t: 'timestamptz', ms: when }, { t: 'text[]', v: ['a', 'b:c', 'ü'] }, null]);
    w.row([{ t: 'text', v: '' }, { t: 'int4', v: 0 }, { t: 'int8', v: 0n }, { t: 'int2', v: -1 }, { t: 'float4', v: 1 }, { t: 'bytea', v: new Uint8Array() }, { t: 'timestamptz', ms: 0 }, { t: 'text[]', v: [] }, { t: 'text', v: 'x'.repeat(100_000) }]);
    await sql.begin((tx) => copyBinary(tx, 't', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], w.finish()));
    const rows = await sql`SELECT * FROM t ORDER BY b DESC`;
    expect(rows[1]).toMatchObject({ a: 'héllo ✓', b: -7, c: 9_007_199_254_740_993n, d: 3, e: 0.25, h: ['a', 'b:c', 'ü'], i: null });
    expect([...rows[1]!.f]).toEqual([0, 255, 1]);
    expect((rows[1]!.g as Date).getTime()).toBe(when);
    expect(rows[0]).toMatchObject({ a: '', b: 0, c: 0n, d: -1, e: 1, h: [] });
    expect((rows[0]!.g as Date).getTime()).toBe(0);
    expect((rows[0]!.i as string).length).toBe(100_000);
  });
});
