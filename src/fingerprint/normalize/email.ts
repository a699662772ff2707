import { applyProviderRule, PROVIDER_RULES } from './email-providers.js';
import { toAsciiHostname } from './hostname.js';
import { isControlOrInvisible, isWhitespace, MAX_RAW_LENGTH, Scan, scanAscii, utf8Length } from './text.js';
import { fail, ok, type NormalizeResult } from './types.js';

/**
 * Email: trim, NFKC, lower-case, IDN domain to ASCII, provider aliases undone.
 *
 * The local part is lower-cased too. RFC 5321 lets a server treat it as
 * case-sensitive, but no mainstream provider does, and attackers vary case
 * freely; missing those matches costs more than the theoretical merge of two
 * case-distinct mailboxes.
 *
 * Accepted local parts are RFC 5322 dot-atoms (plus non-ASCII per RFC 6531).
 * Quoted local parts ("a b"@x) and domain literals (a@[192.0.2.1]) are
 * rejected: legitimate signups do not use them, and each would need its own
 * canonical form.
 */

// RFC 5321 §4.5.3.1: local part ≤ 64 octets; a forward-path is ≤ 256 octets
// including the angle brackets, so an address is ≤ 254.
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;

/** RFC 5322 atext (ASCII), excluding '.', which has placement rules of its own. */
const ATEXT = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "!#$%&'*+-/=?^_`{|}~") t[ch.charCodeAt(0)] = 1;
  return t;
})();

export function normalizeEmail(raw: string): NormalizeResult {
  let s = raw.trim();
  if (s.length === 0) return fail('email is empty');
  // Bound work before NFKC (which can expand text); anything this long is over the limit anyway.
  if (s.length > MAX_RAW_LENGTH) return fail('email is longer than 254 octets');
  const scan = scanAscii(s);
  if (scan === Scan.Whitespace) return fail('email contains whitespace');
  if (scan === Scan.Control) return fail('email contains control or invisible characters');
  const ascii = scan === Scan.PrintableAscii;
  if (!ascii) {
    // ASCII is already NFKC; only non-ASCII input pays for normalization.
    s = s.normalize('NFKC');
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (isWhitespace(c)) return fail('email contains whitespace');
      if (isControlOrInvisible(c)) return fail('email contains control or invisible characters');
    }
  }

  const at = s.lastIndexOf('@');
  if (at < 0) return fail("email has no '@'");
  if (s.indexOf('@') !== at) return fail("email has more than one '@'");
  const localRaw = s.slice(0, at);
  const domainRaw = s.slice(at + 1);
  if (localRaw.length === 0) return fail('email local part is empty');
  if (domainRaw.length === 0) return fail('email domain is empty');

  const localProblem = checkLocalPart(localRaw);
  if (localProblem !== null) return fail(localProblem);
  const localOctets = ascii ? localRaw.length : utf8Length(localRaw);
  if (localOctets > MAX_LOCAL_OCTETS) return fail('email local part is longer than 64 octets');

  if (domainRaw.charCodeAt(0) === 0x5b /* [ */) return fail('email domain literals are not accepted');
  const host = toAsciiHostname(domainRaw);
  if (!host.ok) return fail(`email domain ${host.problem}`);
  if (localOctets + 1 + host.host.length > MAX_ADDRESS_OCTETS) return fail('email is longer than 254 octets');

  let local = localRaw.toLowerCase();
  let domain = host.host;
  const rule = PROVIDER_RULES.get(domain);
  if (rule !== undefined) {
    local = applyProviderRule(local, rule);
    if (local.length === 0) return fail("email local part is empty once the provider's alias is removed");
    domain = rule.canonicalDomain;
  }
  return ok('email', `${local}@${domain}`);
}

/** Dot-atom check: atext or non-ASCII characters, dots only between them. */
function checkLocalPart(local: string): string | null {
  let prevDot = true; // treats a leading dot as misplaced
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    if (c === 0x2e) {
      if (prevDot) return 'email local part has a misplaced dot';
      prevDot = true;
      continue;
    }
    prevDot = false;
    if (c < 0x80 && ATEXT[c] !== 1) {
      return c === 0x22 ? 'email local part is quoted' : 'email local part has a character not allowed';
    }
  }
  if (prevDot) return 'email local part has a misplaced dot';
  return null;
}
