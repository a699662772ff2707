import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, expected registrable domain | { reason }] */
type Case = [input: string, want: string | { reason: string }];

const IP = { reason: 'org domain is an IP address' };
const SUFFIX = { reason: 'org domain is a public suffix' };
const UNLISTED = { reason: 'org domain is not under a known public suffix' };

const cases: Case[] = [
  // Hostnames.
  ['example.com', 'example.com'],
  ['WWW.Example.COM', 'example.com'],
  ['mail.eu.example.com.', 'example.com'],
  ['www.example.co.uk', 'example.co.uk'],
  ['shop.example.co.jp', 'example.co.jp'],
  ['example.com.au', 'example.com.au'],
  // URLs.
  ['https://www.example.co.uk/path?q=1#top', 'example.co.uk'],
  ['http://user:pw@mail.example.org:8080/', 'example.org'],
  ['ftp://files.example.net', 'example.net'],
  ['example.com:8443', 'example.com'],
  ['example.com/login', 'example.com'],
  // Emails.
  ['alice@mail.example.com', 'example.com'],
  ['@example.com', 'example.com'],
  ['mailto:bob@example.net', 'example.net'],
  // IDN.
  ['bücher.de', 'xn--bcher-kva.de'],
  ['https://www.bücher.de/', 'xn--bcher-kva.de'],
  ['shop.ＥＸＡＭＰＬＥ.com', 'example.com'],
  // Private-section suffixes: each customer is its own organisation.
  ['alice.github.io', 'alice.github.io'],
  ['a.b.alice.github.io', 'alice.github.io'],
  ['https://myapp.herokuapp.com/', 'myapp.herokuapp.com'],

  ['', { reason: 'org domain is empty' }],
  ['co.uk', SUFFIX],
  ['github.io', SUFFIX],
  ['https://herokuapp.com', SUFFIX],
  ['com', { reason: 'org domain has no top-level domain' }],
  ['localhost', { reason: 'org domain has no top-level domain' }],
  ['printer.local', UNLISTED],
  ['corp.internal', UNLISTED],
  ['8.8.8.8', IP],
  ['http://8.8.8.8/', IP],
  ['http://0x7f.1/', IP],
  ['2001:db8::1', IP],
  ['[2001:db8::1]', IP],
  ['https://[2001:db8::1]:443/', IP],
  ['010.1.1.1', { reason: 'org domain has a numeric top-level domain' }],
  ['exa mple.com', { reason: 'org domain contains whitespace' }],
  ['exam\u200bple.com', { reason: 'org domain contains control or invisible characters' }],
  ['exa_mple.com', { reason: 'org domain has a character not allowed in hostnames' }],
  ['-example.com', { reason: 'org domain has a label that starts or ends with a hyphen' }],
  ['example..com', { reason: 'org domain has an empty label' }],
  [`${'a'.repeat(64)}.com`, { reason: 'org domain has a label longer than 63 characters' }],
  ['xn--zz.com', { reason: 'org domain is not a valid internationalized domain name' }],
  ['http://', { reason: 'org domain URL could not be parsed' }],
  ['alice@', { reason: 'org domain is empty' }],
];

describe('normalize org_domain', () => {
  it.each(cases.map(([input, want]) => [JSON.stringify(input).slice(0, 50), input, want] as const))('%s', (_label, input, want) => {
    const r = normalizeIdentifier('org_domain', input);
    if (typeof want === 'string') expect(r).toEqual({ ok: true, values: [{ kind: 'org_domain', value: want }] });
    else expect(r).toEqual({ ok: false, reason: want.reason });
  });
});
