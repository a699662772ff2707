import { Buffer } from 'node:buffer';

/**
 * Log text is read as "byte strings": each byte of the UTF-8 file is one
 * char (latin1 decoding). Decoding that way is a plain copy and keeps every
 * string one byte per char, several times faster than real UTF-8 decoding of
 * gigabytes of logs — and features only hash text or look for ASCII
 * keywords, which a byte view serves as well. Anything that leaves the
 * detector (account ids in output, identifiers, sample prompts) is turned
 * back into proper text with `toText`.
 */
export function toText(bytes: string): string {
  return hasHighChars(bytes) ? Buffer.from(bytes, 'latin1').toString('utf8') : bytes;
}

/** The byte-string view of real text (for values that came through JSON escapes). */
export function toBytes(text: string): string {
  return hasHighChars(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

const HIGH = /[^\x00-\x7f]/;
export function hasHighChars(s: string): boolean {
  return HIGH.test(s);
}

/**
 * A private copy of a string. Substrings of a large chunk can share its
 * memory, so a short id kept for the whole run would pin a 4 MiB chunk;
 * copying what is kept long-term keeps memory per account, not per chunk.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'latin1').toString('latin1');
}
