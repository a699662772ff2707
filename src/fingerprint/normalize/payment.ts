import { hasControlOrInvisible, hasWhitespace } from './text.js';
import { fail, ok, type NormalizeResult } from './types.js';

/**
 * Payment: the opaque card fingerprint the provider's payment processor
 * assigns (e.g. Stripe's `card.fingerprint`), never card data.
 *
 * Only trimmed: processor fingerprints are case-sensitive (often base62), so
 * no case folding or Unicode normalization, which could merge distinct
 * values. Fingerprints from different processors are different namespaces;
 * the same card has a different fingerprint at each.
 *
 * A string that looks like a raw card number (13–19 digits, optionally
 * grouped by spaces or hyphens, passing the Luhn check) is rejected: PANs are
 * a tiny, guessable space (BIN + Luhn), so even a keyed token of one is too
 * much to hold, and its presence means the caller passed the wrong field.
 */

const MAX_PAYMENT_LENGTH = 256;

export function normalizePayment(raw: string): NormalizeResult {
  const s = raw.trim();
  if (s.length === 0) return fail('payment fingerprint is empty');
  if (s.length > MAX_PAYMENT_LENGTH) return fail('payment fingerprint is longer than 256 characters');
  // Before the whitespace check, so "4242 4242 4242 4242" gets the helpful reason.
  if (looksLikePan(s)) return fail("looks like a raw card number (PAN); pass the processor's fingerprint");
  if (hasWhitespace(s)) return fail('payment fingerprint contains whitespace');
  if (hasControlOrInvisible(s)) return fail('payment fingerprint contains control or invisible characters');
  return ok('payment', s);
}

/** 13–19 digits (ISO/IEC 7812 lengths), separated only by spaces or hyphens, with a valid Luhn check digit. */
export function looksLikePan(s: string): boolean {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c !== 0x20 && c !== 0x2d) return false;
  }
  if (digits < 13 || digits > 19) return false;
  // Luhn, from the rightmost digit: double every second digit.
  let sum = 0;
  let double = false;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) continue;
    let d = c - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
