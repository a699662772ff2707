import { domainToASCII } from 'node:url';
import { isAscii } from './text.js';

/**
 * Converts a domain name to its canonical ASCII form (lower-case, IDN labels
 * as punycode A-labels, no trailing dot) and checks it is a syntactically
 * valid DNS hostname. Shared by the email and org-domain normalizers so both
 * agree on what a domain is.
 *
 * Returns the hostname, or a problem phrase for the caller to prefix with its
 * kind ("email domain …", "org domain …").
 */
export type HostnameResult = { ok: true; host: string } | { ok: false; problem: string };

const MAX_HOSTNAME = 253; // RFC 1035 §2.3.4: 255 octets on the wire = 253 in text
const MAX_LABEL = 63;

export function toAsciiHostname(input: string): HostnameResult {
  let host = input;
  // A single trailing dot is the fully qualified spelling of the same name.
  if (host.length > 0 && host.charCodeAt(host.length - 1) === 0x2e) host = host.slice(0, -1);
  if (host.length === 0) return { ok: false, problem: 'is empty' };
  if (host.length > 4 * MAX_HOSTNAME) return { ok: false, problem: 'is longer than 253 characters' };

  // Fast path: plain ASCII without punycode labels needs only lower-casing;
  // domainToASCII (UTS #46) costs several times more and would change nothing.
  if (isAscii(host)) {
    host = host.toLowerCase();
    if (!host.includes('xn--')) return checkLdh(host);
  }
  // UTS #46 processing: maps case and compatibility forms (fullwidth letters,
  // ideographic full stop), converts U-labels to A-labels, and validates
  // existing A-labels. Returns '' for names it cannot process, including
  // malformed punycode.
  const ascii = domainToASCII(host);
  if (ascii.length === 0) return { ok: false, problem: 'is not a valid internationalized domain name' };
  host = ascii.charCodeAt(ascii.length - 1) === 0x2e ? ascii.slice(0, -1) : ascii;
  return checkLdh(host);
}

/**
 * RFC 1123 "LDH" syntax: labels of letters, digits and hyphens, 1–63 long, not
 * starting or ending with a hyphen; at least two labels; a top-level label that
 * is not all digits (which also rules out IPv4 literals). domainToASCII alone is
 * lenient (it lets through underscores, empty labels and edge hyphens).
 */
function checkLdh(host: string): HostnameResult {
  if (host.length > MAX_HOSTNAME) return { ok: false, problem: 'is longer than 253 characters' };
  let labelStart = 0;
  let labels = 0;
  let lastLabelAllDigits = true;
  for (let i = 0; i <= host.length; i++) {
    const c = i < host.length ? host.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      const len = i - labelStart;
      if (len === 0) return { ok: false, problem: 'has an empty label' };
      if (len > MAX_LABEL) return { ok: false, problem: 'has a label longer than 63 characters' };
      if (host.charCodeAt(labelStart) === 0x2d || host.charCodeAt(i - 1) === 0x2d) {
        return { ok: false, problem: 'has a label that starts or ends with a hyphen' };
      }
      labels++;
      labelStart = i + 1;
      if (i < host.length) lastLabelAllDigits = true;
      continue;
    }
    const isDigit = c >= 0x30 && c <= 0x39;
    if (!isDigit) lastLabelAllDigits = false;
    if (!(isDigit || (c >= 0x61 && c <= 0x7a) || c === 0x2d)) {
      return { ok: false, problem: 'has a character not allowed in hostnames' };
    }
  }
  if (labels < 2) return { ok: false, problem: 'has no top-level domain' };
  if (lastLabelAllDigits) return { ok: false, problem: 'has a numeric top-level domain' };
  return { ok: true, host };
}
