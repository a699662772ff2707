import { isIP } from 'node:net';
import { parse } from 'tldts';
import { toAsciiHostname } from './hostname.js';
import { hasControlOrInvisible, hasWhitespace, MAX_RAW_LENGTH } from './text.js';
import { fail, ok, type NormalizeResult } from './types.js';

/**
 * Organisation domain: the registrable domain (eTLD+1) under the Public
 * Suffix List, via tldts (bundled PSL snapshot; providers must run the same
 * tldts version, or a PSL change could split a match across an epoch).
 *
 * Accepts a hostname ("mail.example.co.uk"), a URL ("https://x.example.com/p")
 * or an email address / "@domain" (the part after the last '@').
 *
 * PSL private-section suffixes (github.io, herokuapp.com, s3.amazonaws.com…)
 * count as public suffixes: on those platforms each customer subdomain is a
 * different organisation, so "alice.github.io" and "mallory.github.io" must
 * not collapse into one "github.io" token.
 *
 * Rejected: IP addresses, bare public suffixes ("co.uk", "github.io"), and
 * names under no listed suffix ("localhost", "printer.local",
 * "corp.internal"), which are private names, not organisations.
 */

const TLDTS_OPTIONS = {
  allowPrivateDomains: true,
  // We hand tldts a hostname we have already extracted and validated.
  extractHostname: false,
  validateHostname: false,
  detectIp: false,
  mixedInputs: false,
} as const;

export function normalizeOrgDomain(raw: string): NormalizeResult {
  const s = raw.trim();
  if (s.length === 0) return fail('org domain is empty');
  if (s.length > MAX_RAW_LENGTH) return fail('org domain input is longer than 1024 characters');
  if (hasWhitespace(s)) return fail('org domain contains whitespace');
  if (hasControlOrInvisible(s)) return fail('org domain contains control or invisible characters');

  if (isIP(s) !== 0) return fail('org domain is an IP address');
  const host = extractHost(s);
  if (host === null) return fail('org domain URL could not be parsed');
  if (host.charCodeAt(0) === 0x5b /* [ */ || isIP(host) !== 0) return fail('org domain is an IP address');

  const checked = toAsciiHostname(host);
  if (!checked.ok) return fail(`org domain ${checked.problem}`);

  const r = parse(checked.host, TLDTS_OPTIONS);
  if (!r.isIcann && !r.isPrivate) return fail('org domain is not under a known public suffix');
  if (r.domain === null) return fail('org domain is a public suffix');
  return ok('org_domain', r.domain);
}

/** The host part of an email, URL or bare hostname; null if a URL does not parse. */
function extractHost(s: string): string | null {
  const scheme = s.indexOf('://');
  if (scheme < 0) {
    const at = s.lastIndexOf('@');
    // "user@example.com", "@example.com" (no URL scheme, so '@' is an email's).
    if (at >= 0 && !/[/?#]/.test(s)) return s.slice(at + 1);
    // A bare hostname, the common case: no URL machinery needed.
    if (!/[/?#:@]/.test(s)) return s;
  }
  // Anything else ("example.com/path", "example.com:8443", full URLs) goes
  // through the WHATWG URL parser, which also handles userinfo and IDN.
  try {
    const url = new URL(scheme < 0 ? `http://${s}` : s);
    return url.hostname.length > 0 ? url.hostname : null;
  } catch {
    return null;
  }
}
