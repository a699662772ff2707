import { describe, expect, it } from 'vitest';
import { normalizeIdentifier } from '../../../src/fingerprint/normalize/index.js';

/** [input, expected canonical value | { reason }] */
type Case = [input: string, want: string | { reason: string }];

const cases: Case[] = [
  // Plain addresses: trim, lower-case (local part too).
  ['alice@example.com', 'alice@example.com'],
  ['  Alice@Example.COM\t', 'alice@example.com'],
  ["O'Brien@example.ie", "o'brien@example.ie"],
  ['user@sub.domain.example.co.uk', 'user@sub.domain.example.co.uk'],
  ['alice@example.com.', 'alice@example.com'],
  // Unknown domains keep +tags and dots: '+' may be a literal there.
  ['alice+tag@example.com', 'alice+tag@example.com'],
  ['a.lice@example.com', 'a.lice@example.com'],
  // Gmail: dots and +tags ignored, googlemail.com is gmail.com.
  ['Alice.Smith+spam@GoogleMail.com', 'alicesmith@gmail.com'],
  ['a.l.i.c.e@gmail.com', 'alice@gmail.com'],
  ['alice+@gmail.com', 'alice@gmail.com'],
  // Outlook family: +tag only; dots significant; domains not merged.
  ['alice.smith+x+y@outlook.com', 'alice.smith@outlook.com'],
  ['alice.smith@hotmail.com', 'alice.smith@hotmail.com'],
  ['bob+news@live.com', 'bob@live.com'],
  // Yahoo disposable addresses: base-keyword.
  ['alice-shopping@yahoo.com', 'alice@yahoo.com'],
  // Apple: me.com and mac.com are icloud.com.
  ['Bob+news@me.com', 'bob@icloud.com'],
  ['bob@mac.com', 'bob@icloud.com'],
  ['bob+x@icloud.com', 'bob@icloud.com'],
  // Fastmail: +tag, own domain.
  ['carol+tag@fastmail.com', 'carol@fastmail.com'],
  // Proton: one namespace across domains; '.', '_', '-' transparent.
  ['User.Name_x-y+tag@protonmail.ch', 'usernamexy@proton.me'],
  ['user_name@pm.me', 'username@proton.me'],
  // IDN domains to ASCII; NFKC on the whole address.
  ['dave@bücher.de', 'dave@xn--bcher-kva.de'],
  ['dave@XN--BCHER-KVA.DE', 'dave@xn--bcher-kva.de'],
  ['ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ', 'alice@example.com'],
  ['alice@example。com', 'alice@example.com'],
  ['U\u0308ber@example.com', '\u00fcber@example.com'],
  ['用户@例子.广告', '用户@xn--fsqu00a.xn--4rr70v'],

  // Malformed.
  ['', { reason: 'email is empty' }],
  ['   ', { reason: 'email is empty' }],
  ['alice.example.com', { reason: "email has no '@'" }],
  ['a@b@example.com', { reason: "email has more than one '@'" }],
  ['@example.com', { reason: 'email local part is empty' }],
  ['alice@', { reason: 'email domain is empty' }],
  ['alice smith@example.com', { reason: 'email contains whitespace' }],
  ['alice@exam\u3000ple.com', { reason: 'email contains whitespace' }],
  ['alice\u200b@example.com', { reason: 'email contains control or invisible characters' }],
  ['alice\u0000@example.com', { reason: 'email contains control or invisible characters' }],
  ['.alice@example.com', { reason: 'email local part has a misplaced dot' }],
  ['alice.@example.com', { reason: 'email local part has a misplaced dot' }],
  ['al..ice@example.com', { reason: 'email local part has a misplaced dot' }],
  ['"alice"@example.com', { reason: 'email local part is quoted' }],
  ['ali(ce)@example.com', { reason: 'email local part has a character not allowed' }],
  ['alice,bob@example.com', { reason: 'email local part has a character not allowed' }],
  [`${'a'.repeat(65)}@example.com`, { reason: 'email local part is longer than 64 octets' }],
  [`${'é'.repeat(33)}@example.com`, { reason: 'email local part is longer than 64 octets' }],
  [`${'a'.repeat(64)}@${`${'b'.repeat(63)}.`.repeat(3)}com`, { reason: 'email is longer than 254 octets' }],
  ['x'.repeat(5000), { reason: 'email is longer than 254 octets' }],
  ['alice@[192.0.2.1]', { reason: 'email domain literals are not accepted' }],
  ['alice@localhost', { reason: 'email domain has no top-level domain' }],
  ['alice@exa_mple.com', { reason: 'email domain has a character not allowed in hostnames' }],
  ['alice@-example.com', { reason: 'email domain has a label that starts or ends with a hyphen' }],
  ['alice@example..com', { reason: 'email domain has an empty label' }],
  ['alice@192.0.2.1', { reason: 'email domain has a numeric top-level domain' }],
  ['alice@xn--zz.com', { reason: 'email domain is not a valid internationalized domain name' }],
  [`alice@${'a'.repeat(64)}.com`, { reason: 'email domain has a label longer than 63 characters' }],
  ['+tag@gmail.com', { reason: "email local part is empty once the provider's alias is removed" }],
  ['-shopping@yahoo.com', { reason: "email local part is empty once the provider's alias is removed" }],
];

describe('normalize email', () => {
  it.each(cases.map(([input, want]) => [JSON.stringify(input).slice(0, 60), input, want] as const))(
    '%s',
    (_label, input, want) => {
      const r = normalizeIdentifier('email', input);
      if (typeof want === 'string') expect(r).toEqual({ ok: true, values: [{ kind: 'email', value: want }] });
      else expect(r).toEqual({ ok: false, reason: want.reason });
    },
  );

  it('maps every alias spelling of one mailbox to one value', () => {
    const spellings = ['JohnSmith@gmail.com', 'john.smith@gmail.com', 'J.O.H.N.S.M.I.T.H+promo@googlemail.com', ' johnsmith+a+b@GMAIL.COM '];
    const values = spellings.map((s) => {
      const r = normalizeIdentifier('email', s);
      return r.ok ? r.values[0]!.value : r.reason;
    });
    expect(new Set(values)).toEqual(new Set(['johnsmith@gmail.com']));
  });
});
