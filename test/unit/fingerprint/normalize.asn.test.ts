import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, expected 'AS…' | { reason }] */
type Case = [input: string, want: string | { reason: string }];

const MALFORMED = { reason: 'asn is malformed' };
const PRIVATE = { reason: 'asn is private-use (not globally unique)' };

const cases: Case[] = [
  ['AS15169', 'AS15169'],
  ['as15169', 'AS15169'],
  ['15169', 'AS15169'],
  ['ASN 15169', 'AS15169'],
  ['asn15169', 'AS15169'],
  ['AS 15169', 'AS15169'],
  ['  AS15169\n', 'AS15169'],
  ['AS015169', 'AS15169'],
  ['1', 'AS1'],
  ['AS64511', 'AS64511'], // documentation (RFC 5398), accepted
  ['AS65536', 'AS65536'], // documentation, first four-byte
  ['AS4199999999', 'AS4199999999'], // last before private use
  ['AS1.10', 'AS65546'], // asdot (RFC 5396)
  ['AS0.15169', 'AS15169'],
  ['65535.65535', { reason: 'asn is reserved' }], // asdot for 4294967295

  ['', { reason: 'asn is empty' }],
  ['AS', { reason: 'asn has no number' }],
  ['ASN ', { reason: 'asn has no number' }],
  ['AS-15169', MALFORMED],
  ['AS15169a', MALFORMED],
  ['15,169', MALFORMED],
  ['-1', MALFORMED],
  ['1e5', MALFORMED],
  ['AS 1 5', MALFORMED],
  ['AS1.', MALFORMED],
  ['AS.5', MALFORMED],
  ['AS1.2.3', MALFORMED],
  ['x'.repeat(100), MALFORMED],
  ['AS1.65536', { reason: 'asn in asdot notation is out of range' }],
  ['AS4294967296', { reason: 'asn is out of the 32-bit range' }],
  ['AS99999999999', { reason: 'asn is out of the 32-bit range' }],
  ['0', { reason: 'asn is reserved' }],
  ['AS0', { reason: 'asn is reserved' }],
  ['AS65535', { reason: 'asn is reserved' }],
  ['AS4294967295', { reason: 'asn is reserved' }],
  ['AS23456', { reason: 'asn is AS_TRANS, a placeholder for any four-byte asn' }],
  ['AS64512', PRIVATE],
  ['AS65534', PRIVATE],
  ['AS4200000000', PRIVATE],
  ['AS4294967294', PRIVATE],
];

describe('normalize asn', () => {
  it.each(cases.map(([input, want]) => [JSON.stringify(input).slice(0, 40), input, want] as const))('%s', (_label, input, want) => {
    const r = normalizeIdentifier('asn', input);
    if (typeof want === 'string') expect(r).toEqual({ ok: true, values: [{ kind: 'asn', value: want }] });
    else expect(r).toEqual({ ok: false, reason: want.reason });
  });
});
