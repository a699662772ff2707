import { finalize } from '../sketch/hash.js';

/**
 * Identifier keys for linking accounts, computed from char codes without
 * building normalised strings (this runs on every log line).
 */


/** Mixes one code unit into both halves of a 64-bit-ish running hash. */
function step(h: number, c: number, mul: number): number {
  return Math.imul(h ^ c, mul);
}

function combine(a: number, b: number, len: number): number {
  return (finalize(a ^ len) >>> 0) * 1048576 + (finalize(b ^ len) >>> 12);
}

/**
 * 52-bit key of an email address as its mailbox: case-folded, `+tag`
 * dropped, and for Gmail dots in the local part ignored too, since Gmail
 * delivers all of those to one mailbox (the cheapest way to register many
 * accounts). 0 for an empty address.
 */
export function emailKey(email: string): number {
  const at = email.lastIndexOf('@');
  if (at <= 0) return email ? hashFolded(email, 0, email.length) : 0;
  const gmail = isDomain(email, at + 1, 'gmail.com') || isDomain(email, at + 1, 'googlemail.com');
  let a = 0x01234567;
  let b = 0x7654321;
  let len = 0;
  for (let i = 0; i < at; i++) {
    let c = email.charCodeAt(i);
    if (c === 43 /* + */) break;
    if (gmail && c === 46 /* . */) continue;
    if (c >= 65 && c <= 90) c += 32;
    a = step(a, c, 0x5bd1e995);
    b = step(b, c, 0x01000193);
    len++;
  }
  a = step(a, 64, 0x5bd1e995);
  b = step(b, 64, 0x01000193);
  if (gmail) {
    for (const c of GMAIL) {
      a = step(a, c, 0x5bd1e995);
      b = step(b, c, 0x01000193);
    }
  } else {
    for (let i = at + 1; i < email.length; i++) {
      let c = email.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      a = step(a, c, 0x5bd1e995);
      b = step(b, c, 0x01000193);
    }
  }
  return combine(a, b, len);
}

const GMAIL = Array.from('gmail.com', (ch) => ch.charCodeAt(0));

function isDomain(s: string, from: number, domain: string): boolean {
  if (s.length - from !== domain.length) return false;
  for (let i = 0; i < domain.length; i++) {
    let c = s.charCodeAt(from + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== domain.charCodeAt(i)) return false;
  }
  return true;
}

/** 52-bit key of s[start, end), case-folded. */
export function hashFolded(s: string, start: number, end: number): number {
  let a = 0x2f2f2f2f;
  let b = 0x3e3e3e3e;
  for (let i = start; i < end; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    a = step(a, c, 0x5bd1e995);
    b = step(b, c, 0x01000193);
  }
  return combine(a, b, end - start);
}

/** 52-bit key of an identifier taken as is (card and device fingerprints, phone numbers). 0 for empty. */
export function valueKey(s: string): number {
  return s ? hashFolded(s, 0, s.length) : 0;
}

/**
 * 32-bit key of an address's network: the /24 of an IPv4 address, the /48 of
 * an IPv6 one (its first three groups; a `::` inside them stands for zeros,
 * and leading zeros are not normalised — close enough for grouping). 0 for
 * an empty address.
 */
export function networkKey(ip: string): number {
  if (!ip) return 0;
  let h = 0x6b43a9b5;
  const v6 = ip.indexOf(':') >= 0;
  let seps = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === (v6 ? 58 : 46)) {
      seps++;
      if (seps === 3) break;
      if (v6 && ip.charCodeAt(i + 1) === 58) {
        h = Math.imul(h ^ 0x3a3a, 0x5bd1e995);
        break;
      }
    }
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), 0x5bd1e995);
  }
  return finalize(h) | 1; // never 0, which means "none"
}

