import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';
import type { IdentifierKind } from '../../../src/fingerprint/suspect.js';

/**
 * Rejection reasons are logged and counted; raw identifiers must never be.
 * Each input below is rejected, and is (or embeds) a distinctive canary
 * string: neither the input nor any 6-character piece of it may appear in
 * the reason.
 */
const rejected: [IdentifierKind, string][] = [
  ['email', 'canary.qzx81 smith@example.com'],
  ['email', 'canaryqzx81example.com'],
  ['email', 'canary@qzx81@example.com'],
  ['email', '"canaryqzx81"@example.com'],
  ['email', 'canaryqzx81@exa_mple.com'],
  ['email', 'canaryqzx81@localhost'],
  ['email', `canaryqzx81${'a'.repeat(60)}@example.com`],
  ['email', '+canaryqzx81@gmail.com'],
  ['phone', '+1 555 canaryqzx81'],
  ['phone', '2015550123'],
  ['phone', '+1 000 000 0000'],
  ['phone', '+1 201 555 0123 canaryqzx81'],
  ['ip', '10.81.42.17'],
  ['ip', '301.81.42.17'],
  ['ip', 'fe80::8142:17%canaryqzx81'],
  ['ip', '203.0.113.81:4217'],
  ['ip', '[2001:db8::8142]'],
  ['asn', 'AS64999'],
  ['asn', 'AS99999999991'],
  ['asn', 'ASN canaryqzx81'],
  ['payment', '4242 4242 4242 4242'],
  ['payment', 'canary qzx81 fp'],
  ['payment', `canaryqzx81${'z'.repeat(300)}`],
  ['device', `canaryqzx81${'d'.repeat(300)}`],
  ['device', 'canary\u0000qzx81'],
  ['org_domain', '.canaryqzx81..com'],
  ['org_domain', 'canaryqzx81.local'],
  ['org_domain', 'canary_qzx81.com'],
  ['org_domain', 'http://canaryqzx81:badport/'],
  ['api_key', 'sk-live canaryqzx81'],
  ['api_key', 'sk-live\u0000canaryqzx81'],
];

function windows(s: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= s.length; i++) out.push(s.slice(i, i + n));
  return out;
}

describe('rejection reasons', () => {
  it.each(rejected.map(([kind, raw]) => [kind, JSON.stringify(raw).slice(0, 50), raw] as const))(
    '%s %s: reason does not contain the input',
    (kind, _label, raw) => {
      const r = normalizeIdentifier(kind, raw);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      const trimmed = raw.trim();
      expect(r.reason).not.toContain(trimmed);
      for (const piece of windows(trimmed, 6)) expect(r.reason).not.toContain(piece);
      expect(r.reason.length).toBeLessThan(100);
    },
  );
});
