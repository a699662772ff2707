import { isIPv6 } from 'node:net';

/**
 * A tripwire for raw customer identifiers in free text a provider writes (a
 * report's narrative). It cannot prove text is clean; it catches the obvious
 * slips — an email address, a phone number, an IP address, a card number
 * pasted from a ticket — before they leave the provider or reach the
 * regulator's database. Pure; never returns the matched text itself, so an
 * error built from it cannot leak the identifier into a log.
 */
export type RawIdentifierKind = 'email address' | 'phone number' | 'IPv4 address' | 'IPv6 address' | 'payment card number';

export interface RawIdentifierHit {
  kind: RawIdentifierKind;
  /** 0-based character offset of the match. */
  index: number;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]*\d)/g;
/** Candidates only; isIPv6 decides. Needs two colons, so times like 12:30 never qualify. */
const IPV6_CANDIDATE = /(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![0-9A-Za-z:])/g;
/**
 * International numbers written with a leading + (E.164: 8–15 digits, any
 * space, dot or dash grouping), and North American 3-3-4 numbers. Plain digit
 * runs and ISO dates (2026-03-01) are not phone numbers here: narratives are
 * full of counts and dates.
 */
const PHONE_INTL = /\+\d[\d\s.()-]{6,20}\d/g;
const PHONE_NANP = /(?<!\d)(?:\(\d{3}\)\s?|\d{3}[-.])\d{3}[-.]\d{4}(?!\d)/g;
/** 13–19 digits, optionally in groups split by spaces or dashes; a Luhn check keeps counts and ids out. */
const CARD_CANDIDATE = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) yield m;
}

/** The first raw identifier found in `text` (earliest position), or undefined. */
export function findRawIdentifier(text: string): RawIdentifierHit | undefined {
  const hits: RawIdentifierHit[] = [];
  for (const m of matches(EMAIL, text)) hits.push({ kind: 'email address', index: m.index });
  for (const m of matches(IPV4, text)) hits.push({ kind: 'IPv4 address', index: m.index });
  for (const m of matches(IPV6_CANDIDATE, text)) {
    if (isIPv6(m[0]) && /[0-9A-Fa-f]/.test(m[0])) hits.push({ kind: 'IPv6 address', index: m.index });
  }
  for (const m of matches(PHONE_INTL, text)) {
    const digits = m[0].replace(/\D/g, '').length;
    if (digits >= 8 && digits <= 15) hits.push({ kind: 'phone number', index: m.index });
  }
  for (const m of matches(PHONE_NANP, text)) hits.push({ kind: 'phone number', index: m.index });
  for (const m of matches(CARD_CANDIDATE, text)) {
    if (luhn(m[0].replace(/\D/g, ''))) hits.push({ kind: 'payment card number', index: m.index });
  }
  return hits.sort((a, b) => a.index - b.index)[0];
}
