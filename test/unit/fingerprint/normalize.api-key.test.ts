import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, expected hex SHA-256 of the trimmed key | { reason }] (digests computed with sha256sum) */
type Case = [input: string, want: string | { reason: string }];

const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

const cases: Case[] = [
  ['abc', ABC],
  ['  abc  ', ABC],
  ['\tabc\n', ABC],
  // Case and form are significant: keys are exact byte strings.
  ['sk-live-ABC', '8b9cf19e7f3a4322ad5a8c308ed572d2628d68ded49a6442213c0fa8b0a5fa9e'],
  ['sk-live-abc', '35671a7961475734ed8ac8d77cd12349f04f6f182fdb1f003505e15ed2a4876a'],
  ['sk-proj-Zx9_-.~', '60a1e518848deb574b88008211a40f5d03f6f7cf3c64ff7db5b0482b4fc46084'],
  ['AKIAIOSFODNN7EXAMPLE', '1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3'],
  ['ghp_16C7e42F292c6912E7710c838347Ae178B4a', '3543c50b0cb9cea8e55eb1f529b79f043cb250d485fde7b66cabbb5183add7da'],
  ['AIzaSyA-1234567890abcdefghijklmnopqrst', '0e125fb7ffe0e81a8c3b61d8d5ff81ef9f59b15146a284b8767762b47c8c3f4d'],
  ['x', '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'],
  ['0', '5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9'],
  ['key"with\\quote', '851462f8dddd713b70a228dd24122d2155cfb5a1e4c4c3e31518a569ac34f550'],
  // UTF-8, no NFKC.
  ['clé-api', '0376fc29781abab9dafdb7fb8eebfda03ed9d70eee97b339fac65c11eda28101'],
  ['ｋｅｙ', '6685bd5c069cabde444cd25aa0705929d63685dc7ac99238feb01e2b86318a17'],

  ['', { reason: 'api key is empty' }],
  ['   ', { reason: 'api key is empty' }],
  ['sk live', { reason: 'api key contains whitespace' }],
  ['sk\tlive', { reason: 'api key contains whitespace' }],
  ['sk\u2028live', { reason: 'api key contains whitespace' }],
  ['sk\u0000live', { reason: 'api key contains control or invisible characters' }],
  ['sk\u200blive', { reason: 'api key contains control or invisible characters' }],
  ['x'.repeat(1025), { reason: 'api key is longer than 1024 characters' }],
];

describe('normalize api_key', () => {
  it.each(cases.map(([input, want]) => [JSON.stringify(input).slice(0, 50), input, want] as const))('%s', (_label, input, want) => {
    const r = normalizeIdentifier('api_key', input);
    if (typeof want === 'string') expect(r).toEqual({ ok: true, values: [{ kind: 'api_key', value: want }] });
    else expect(r).toEqual({ ok: false, reason: want.reason });
  });

  it('never returns the key itself', () => {
    const key = 'sk-live-0123456789abcdef';
    const r = normalizeIdentifier('api_key', key);
    expect(r.ok && r.values[0]!.value).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(r)).not.toContain(key);
  });
});
