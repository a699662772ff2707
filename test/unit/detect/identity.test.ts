import { describe, expect, it } from 'vitest';
import { emailKey, networkKey, valueKey } from '../../../src/detect/accounts/identity.js';

describe('emailKey', () => {
  it('treats Gmail dots, +tags and case as one mailbox', () => {
    const k = emailKey('johnsmith@gmail.com');
    expect(emailKey('John.Smith+ai42@gmail.com')).toBe(k);
    expect(emailKey('j.o.h.n.s.m.i.t.h@GMAIL.COM')).toBe(k);
    expect(emailKey('johnsmith@googlemail.com')).toBe(k);
    expect(emailKey('johnsmith2@gmail.com')).not.toBe(k);
  });

  it('drops +tags but keeps dots elsewhere', () => {
    expect(emailKey('a.b+x@example.org')).toBe(emailKey('A.B@example.org'));
    expect(emailKey('a.b@example.org')).not.toBe(emailKey('ab@example.org'));
    expect(emailKey('')).toBe(0);
  });
});

describe('networkKey', () => {
  it('groups IPv4 by /24 and IPv6 by /48', () => {
    expect(networkKey('198.51.100.7')).toBe(networkKey('198.51.100.200'));
    expect(networkKey('198.51.100.7')).not.toBe(networkKey('198.51.101.7'));
    expect(networkKey('2001:db8:12:1::5')).toBe(networkKey('2001:db8:12:ffff:1::9'));
    expect(networkKey('2001:db8:12:1::5')).not.toBe(networkKey('2001:db8:13:1::5'));
    expect(networkKey('')).toBe(0);
  });
});

describe('valueKey', () => {
  it('is 0 only for empty values', () => {
    expect(valueKey('')).toBe(0);
    expect(valueKey('pm_card_1')).not.toBe(0);
    expect(valueKey('pm_card_1')).toBe(valueKey('pm_card_1'));
  });
});
