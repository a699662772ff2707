/**
 * Character-class scans shared by the normalizers. Plain loops over char
 * codes: no regexes (no backtracking risk) and no allocation, since these run
 * on every identifier.
 */

/** Outcomes of `scanAscii` (plain constants rather than an enum: erasable syntax). */
export const Scan = {
  /** Printable ASCII only: already NFKC, no whitespace, no controls. */
  PrintableAscii: 0,
  /** Contains non-ASCII: normalize, then check with the full predicates. */
  NonAscii: 1,
  /** Contains ASCII whitespace. */
  Whitespace: 2,
  /** Contains an ASCII control character. */
  Control: 3,
} as const;
export type Scan = (typeof Scan)[keyof typeof Scan];

/**
 * One pass that settles the common case (printable ASCII) with a single range
 * test per character; only non-ASCII input pays for NFKC and the Unicode
 * predicates below.
 */
export function scanAscii(s: string): Scan {
  let result: Scan = Scan.PrintableAscii;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) continue;
    if (c > 0x7f) {
      result = Scan.NonAscii;
      continue;
    }
    return c === 0x20 || (c >= 0x09 && c <= 0x0d) ? Scan.Whitespace : Scan.Control;
  }
  return result;
}

/** True when every UTF-16 unit is ASCII; ASCII text is already NFKC, so callers skip `normalize`. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

/**
 * Control characters (C0, DEL, C1) and invisible format characters: zero-width
 * space/joiners, bidi marks and overrides, word joiner, BOM, soft hyphen. NFKC
 * keeps the invisible ones, so `alice\u200b@x` would otherwise tokenize apart
 * from `alice@x`; they have no business in an identifier and are a known
 * spoofing trick, so we reject rather than silently strip.
 */
export function isControlOrInvisible(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0xad ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0xfeff
  );
}

/** Unicode White_Space (the set `String.prototype.trim` strips), by code unit. */
export function isWhitespace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

export function hasWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (isWhitespace(s.charCodeAt(i))) return true;
  }
  return false;
}

/** Control or invisible characters, excluding whitespace (callers report whitespace separately). */
export function hasControlOrInvisible(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isControlOrInvisible(c) && !isWhitespace(c)) return true;
  }
  return false;
}

/**
 * Like `hasControlOrInvisible`, but whitespace controls (tab, newlines, line
 * and paragraph separators) count too: for values where a plain space may be
 * legitimate but a line break never is.
 */
export function hasAnyControlOrInvisible(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isControlOrInvisible(c) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** UTF-8 length in octets without allocating a buffer (RFC 5321 limits are in octets). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      // A surrogate pair is one code point of four octets.
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Bound on raw input length before any work is done (NFKC can expand a
 * string many times over). Matches the suspect schema's per-identifier cap.
 */
export const MAX_RAW_LENGTH = 1024;
