import { describe, expect, it } from 'vitest';
import { findRawIdentifier } from '../../../src/regulator/reports/narrative-canary.js';
import { checkNarrative } from '../../../src/regulator/reports/validate-report.js';

describe('narrative canary: raw customer identifiers in free text', () => {
  const positives: [string, string, string][] = [
    ['an email address', 'Accounts like jane.doe+ml@example.co.uk rotated keys daily.', 'email address'],
    ['an IPv4 address', 'Traffic came from 203.0.113.45 behind a residential proxy.', 'IPv4 address'],
    ['an IPv6 address', 'Egress 2001:db8:85a3::8a2e:370:7334 was shared by all of them.', 'IPv6 address'],
    ['a compressed IPv6 address', 'Seen from fe80::1 too.', 'IPv6 address'],
    ['an international phone number', 'The operator answered on +44 20 7946 0958 when we called.', 'phone number'],
    ['an E.164 phone number', 'Verification SMS went to +14155552671.', 'phone number'],
    ['a North American phone number', 'Support ticket listed (415) 555-2671 as callback.', 'phone number'],
    ['a dashed phone number', 'Callback 415-555-2671.', 'phone number'],
    ['a card number', 'Paid with 4111 1111 1111 1111 every time.', 'payment card number'],
    ['a bare card number', 'Card 5555555555554444 again.', 'payment card number'],
  ];
  for (const [name, text, kind] of positives) {
    it(`catches ${name}`, () => {
      const hit = findRawIdentifier(text);
      expect(hit?.kind).toBe(kind);
      expect(() => checkNarrative(text)).toThrow(new RegExp(`^report narrative: looks like it contains a raw ${kind} \\(at character ${hit!.index}\\); a report must not carry raw customer data`));
    });
  }

  it('never puts the matched value in the error', () => {
    let message = '';
    try {
      checkNarrative('Contact was jane.doe@example.com, card 4111 1111 1111 1111.');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/email address/);
    expect(message).not.toContain('jane');
    expect(message).not.toContain('4111');
  });

  const negatives: [string, string][] = [
    ['dates and times', 'Between 2026-03-01 and 2026-03-09 at 12:30:45 UTC volume tripled.'],
    ['counts and scores', 'About 1,250,000 requests from 40 accounts, score 0.87, 12 000 000 tokens, +35% week on week.'],
    ['versions and ratios', 'Model v2.1.3 release; ratio 3:1; step 4.5.6.'],
    ['token hex and ids', 'Token a1a1a1a1 appears in cmp-0001 and case-77; record r-123456789.'],
    ['a 13-digit count that fails Luhn', 'We logged 1234567890123 characters of output.'],
    ['an empty-ish IPv6-looking time range', 'Windows 10:00:00 to 11:00:00.'],
  ];
  for (const [name, text] of negatives) {
    it(`lets ${name} through`, () => {
      expect(findRawIdentifier(text)).toBeUndefined();
      expect(() => checkNarrative(text)).not.toThrow();
    });
  }
});
