import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';
import { IDENTIFIER_KINDS, type IdentifierKind } from '../../../src/fingerprint/suspect.js';

/** One accepted sample per kind, to check the dispatch and the token kinds it yields. */
const samples: Record<IdentifierKind, [raw: string, kinds: string[]]> = {
  email: ['Alice@Example.com', ['email']],
  phone: ['+1 201 555 0123', ['phone']],
  ip: ['8.8.8.8', ['ip', 'ip_prefix']],
  asn: ['AS15169', ['asn']],
  payment: ['Xt5EWLLDS7FJjR1c', ['payment']],
  device: ['DeviceABC', ['device']],
  org_domain: ['www.example.com', ['org_domain']],
  api_key: ['sk-live-abc', ['api_key']],
};

describe('normalizeIdentifier', () => {
  it.each(IDENTIFIER_KINDS.map((k) => [k] as const))('dispatches %s', (kind) => {
    const [raw, kinds] = samples[kind];
    const r = normalizeIdentifier(kind, raw);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.values.map((v) => v.kind)).toEqual(kinds);
  });

  it('passes the default region to phone', () => {
    expect(normalizeIdentifier('phone', '(201) 555-0123')).toEqual({
      ok: false,
      reason: "phone number has no '+' country code and no default region was given",
    });
    expect(normalizeIdentifier('phone', '(201) 555-0123', { defaultRegion: 'US' })).toEqual({
      ok: true,
      values: [{ kind: 'phone', value: '+12015550123' }],
    });
  });

  it('rejects a value that is not a string (rows come from JSON)', () => {
    expect(normalizeIdentifier('email', 42 as unknown as string)).toEqual({ ok: false, reason: 'identifier is not a string' });
  });

  it('is deterministic: the same input gives the same output', () => {
    for (const kind of IDENTIFIER_KINDS) {
      const [raw] = samples[kind];
      expect(normalizeIdentifier(kind, raw)).toEqual(normalizeIdentifier(kind, raw));
    }
  });

  // Two providers holding one identifier in different surface forms must
  // derive the same canonical value (hence the same token).
  it.each([
    ['email', ['JohnSmith@gmail.com', 'john.smith+x@googlemail.com', ' JOHN.SMITH@GMAIL.COM ']],
    ['phone', ['+1 (201) 555-0123', '+1.201.555.0123', 'tel:+12015550123', '＋１２０１５５５０１２３']],
    ['ip', ['2001:DB8::1', '2001:0db8:0:0:0:0:0:1', '2001:db8:0::0:1']],
    ['ip', ['8.8.4.4', '::ffff:8.8.4.4', '::ffff:808:404']],
    ['asn', ['AS15169', 'asn 15169', '15169', 'AS0.15169']],
    ['device', ['A1B2C3D4-E5F6-4789-ABCD-0123456789AB', '{a1b2c3d4-e5f6-4789-abcd-0123456789ab}']],
    ['org_domain', ['https://www.example.co.uk/x', 'alice@mail.example.co.uk', 'EXAMPLE.CO.UK.']],
  ] as const)('%s surface forms converge', (kind, forms) => {
    const outputs = forms.map((f) => JSON.stringify(normalizeIdentifier(kind, f)));
    expect(new Set(outputs).size).toBe(1);
    expect(outputs[0]).toContain('"ok":true');
  });
});
