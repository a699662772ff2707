import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, expected value | { reason }] */
type Case = [input: string, want: string | { reason: string }];

const PAN = { reason: "looks like a raw card number (PAN); pass the processor's fingerprint" };

const cases: Case[] = [
  // Opaque and case-sensitive: only trimmed.
  ['Xt5EWLLDS7FJjR1c', 'Xt5EWLLDS7FJjR1c'],
  [' Xt5EWLLDS7FJjR1c\n', 'Xt5EWLLDS7FJjR1c'],
  ['xt5ewllds7fjjr1c', 'xt5ewllds7fjjr1c'],
  ['card_fp_AbC-123==', 'card_fp_AbC-123=='],
  ['tok_1NxYz2AbCdEfGh', 'tok_1NxYz2AbCdEfGh'],
  ['8ZQ4-2Z9Q:adyen', '8ZQ4-2Z9Q:adyen'],
  ['ｆｐ', 'ｆｐ'], // no NFKC: could merge distinct fingerprints
  ['fp:ÄÖÜ', 'fp:ÄÖÜ'],
  // Digit strings that are not PANs stay opaque.
  ['4242424242424241', '4242424242424241'], // fails Luhn
  ['123456789012', '123456789012'], // 12 digits
  ['12345678901234567890', '12345678901234567890'], // 20 digits
  ['1234-5678', '1234-5678'],
  ['a'.repeat(256), 'a'.repeat(256)],

  ['', { reason: 'payment fingerprint is empty' }],
  ['   ', { reason: 'payment fingerprint is empty' }],
  ['4242424242424242', PAN],
  ['4242 4242 4242 4242', PAN],
  ['4242-4242-4242-4242', PAN],
  ['378282246310005', PAN], // 15-digit Amex test card
  ['6011111111111117', PAN], // Discover test card
  ['4222222222222', PAN], // 13-digit Visa test card
  ['6250941006528599', PAN], // UnionPay test card
  ['a'.repeat(257), { reason: 'payment fingerprint is longer than 256 characters' }],
  ['ab cd', { reason: 'payment fingerprint contains whitespace' }],
  ['ab\tcd', { reason: 'payment fingerprint contains whitespace' }],
  ['ab\u00a0cd', { reason: 'payment fingerprint contains whitespace' }],
  ['ab\u0000cd', { reason: 'payment fingerprint contains control or invisible characters' }],
  ['ab\u200bcd', { reason: 'payment fingerprint contains control or invisible characters' }],
  ['ab\u202ecd', { reason: 'payment fingerprint contains control or invisible characters' }],
];

describe('normalize payment', () => {
  it.each(cases.map(([input, want]) => [JSON.stringify(input).slice(0, 40), input, want] as const))('%s', (_label, input, want) => {
    const r = normalizeIdentifier('payment', input);
    if (typeof want === 'string') expect(r).toEqual({ ok: true, values: [{ kind: 'payment', value: want }] });
    else expect(r).toEqual({ ok: false, reason: want.reason });
  });
});
