import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, expected value | { reason }] */
type Case = [input: string, want: string | { reason: string }];

const UUID = 'a1b2c3d4-e5f6-4789-abcd-0123456789ab';
const PLACEHOLDER = { reason: 'device id is a placeholder shared by many devices' };

const cases: Case[] = [
  // UUIDs: case-insensitive, so lower-cased; braces dropped.
  ['A1B2C3D4-E5F6-4789-ABCD-0123456789AB', UUID],
  [UUID, UUID],
  ['{A1B2C3D4-E5F6-4789-ABCD-0123456789AB}', UUID],
  ['  a1b2c3d4-E5F6-4789-abcd-0123456789AB  ', UUID],
  // Anything else is opaque: case kept.
  ['DeviceABC', 'DeviceABC'],
  ['deviceabc', 'deviceabc'],
  ['7f3a9c2e1b4d5a6f', '7f3a9c2e1b4d5a6f'],
  ['A1B2C3D4E5F64789ABCD0123456789AB', 'A1B2C3D4E5F64789ABCD0123456789AB'], // not the hyphenated UUID form
  ['{not-a-uuid}', '{not-a-uuid}'],
  ['A1B2C3D4-E5F6-4789-ABCD-0123456789AG', 'A1B2C3D4-E5F6-4789-ABCD-0123456789AG'], // 'G' is not hex
  ['Pixel 7 #1234', 'Pixel 7 #1234'],
  [' abc ', 'abc'],
  // NFKC.
  ['ＡＢＣ１２３', 'ABC123'],
  ['\u3000abc\u3000', 'abc'],
  ['x'.repeat(256), 'x'.repeat(256)],
  ['nullable-device', 'nullable-device'],

  ['', { reason: 'device id is empty' }],
  ['  \t ', { reason: 'device id is empty' }],
  ['00000000-0000-0000-0000-000000000000', PLACEHOLDER],
  ['{00000000-0000-0000-0000-000000000000}', PLACEHOLDER],
  ['FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', PLACEHOLDER],
  ['9774d56d682e549c', PLACEHOLDER],
  ['9774D56D682E549C', PLACEHOLDER],
  ['unknown', PLACEHOLDER],
  ['NULL', PLACEHOLDER],
  ['undefined', PLACEHOLDER],
  ['x'.repeat(257), { reason: 'device id is longer than 256 characters' }],
  ['x'.repeat(5000), { reason: 'device id is longer than 256 characters' }],
  ['ab\u0001c', { reason: 'device id contains control or invisible characters' }],
  ['ab\u200dc', { reason: 'device id contains control or invisible characters' }],
  ['ab\nc', { reason: 'device id contains control or invisible characters' }],
];

describe('normalize device', () => {
  it.each(cases.map(([input, want]) => [JSON.stringify(input).slice(0, 50), input, want] as const))('%s', (_label, input, want) => {
    const r = normalizeIdentifier('device', input);
    if (typeof want === 'string') expect(r).toEqual({ ok: true, values: [{ kind: 'device', value: want }] });
    else expect(r).toEqual({ ok: false, reason: want.reason });
  });
});
