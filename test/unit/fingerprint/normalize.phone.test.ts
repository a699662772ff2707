import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, default region | null, expected E.164 | { reason }] */
type Case = [input: string, region: string | null, want: string | { reason: string }];

const cases: Case[] = [
  // International format: no region needed.
  ['+1 201-555-0123', null, '+12015550123'],
  ['+1 (201) 555-0123', null, '+12015550123'],
  ['+12015550123', null, '+12015550123'],
  ['  +1.201.555.0123  ', null, '+12015550123'],
  ['+44 20 7946 0000', null, '+442079460000'],
  ['+44 (0)20 7946 0000', null, '+442079460000'],
  ['+49 30 12345678', null, '+493012345678'],
  ['+33 1 23 45 67 89', null, '+33123456789'],
  ['+81 3-1234-5678', null, '+81312345678'],
  ['+91 81234 56789', null, '+918123456789'],
  ['+55 11 91234-5678', null, '+5511912345678'],
  ['+86 131 2345 6789', null, '+8613123456789'],
  ['+61 4 1234 5678', null, '+61412345678'],
  // Extensions are not part of the line's identity.
  ['+1 201 555 0123 ext. 42', null, '+12015550123'],
  ['tel:+1-201-555-0123;ext=9', null, '+12015550123'],
  // Other scripts' digits and fullwidth forms.
  ['＋１ ２０１ ５５５ ０１２３', null, '+12015550123'],
  ['+٩٧١ ٥٠ ١٢٣ ٤٥٦٧', null, '+971501234567'],
  // National format with a default region (case-insensitive).
  ['(201) 555-0123', 'US', '+12015550123'],
  ['201-555-0123', 'us', '+12015550123'],
  ['020 7946 0000', 'GB', '+442079460000'],
  ['07400 123456', 'GB', '+447400123456'],
  // International prefixes dialled from the default region.
  ['0033 1 23 45 67 89', 'DE', '+33123456789'],
  ['011 33 1 23 45 67 89', 'US', '+33123456789'],
  // A '+' number ignores the default region.
  ['+33 1 23 45 67 89', 'US', '+33123456789'],

  // Malformed or invalid.
  ['', null, { reason: 'phone number is empty' }],
  ['   ', 'US', { reason: 'phone number is empty' }],
  ['201-555-0123', null, { reason: "phone number has no '+' country code and no default region was given" }],
  ['+1 000 000 0000', null, { reason: 'phone number is not valid for its region' }],
  ['+1 201 555 012', null, { reason: 'phone number is not valid for its region' }],
  ['+44 20 7946 000', null, { reason: 'phone number is not valid for its region' }],
  ['+999 1234 5678', null, { reason: 'phone number could not be parsed' }],
  ['call me maybe', 'US', { reason: 'phone number could not be parsed' }],
  ['+1 201 555 0123 call now', null, { reason: 'phone number could not be parsed' }],
  ['++12015550123', null, { reason: 'phone number could not be parsed' }],
  ['+1 201 555 0123', 'ZZ', { reason: 'default region is not a supported country code' }],
  ['+1 201 555 0123', 'USA', { reason: 'default region is not a supported country code' }],
  ['1'.repeat(65), 'US', { reason: 'phone number is longer than 64 characters' }],
  ['+1 201\u0000555 0123', null, { reason: 'phone number contains control or invisible characters' }],
  ['+1 201\u200b555 0123', null, { reason: 'phone number contains control or invisible characters' }],
];

describe('normalize phone', () => {
  it.each(cases.map(([input, region, want]) => [`${JSON.stringify(input).slice(0, 50)} ${region ?? '-'}`, input, region, want] as const))(
    '%s',
    (_label, input, region, want) => {
      const r = normalizeIdentifier('phone', input, region === null ? undefined : { defaultRegion: region });
      if (typeof want === 'string') expect(r).toEqual({ ok: true, values: [{ kind: 'phone', value: want }] });
      else expect(r).toEqual({ ok: false, reason: want.reason });
    },
  );
});
