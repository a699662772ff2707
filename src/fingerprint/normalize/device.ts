import { hasAnyControlOrInvisible, isAscii, MAX_RAW_LENGTH } from './text.js';
import { fail, ok, type NormalizeResult } from './types.js';

/**
 * Device: an opaque device id (vendor id, advertising id, install id, the
 * provider's own device fingerprint). Trimmed and NFKC-normalized, otherwise
 * kept as is: its case may be meaningful.
 *
 * UUIDs are the exception: RFC 9562 makes them case-insensitive on input and
 * lower-case on output, and platforms differ (iOS prints IDFV/IDFA upper-case,
 * Android lower-case), so a UUID is lower-cased, and braces ("{…}", the
 * Windows spelling) are dropped.
 *
 * Known placeholders are rejected: they are shared by huge numbers of devices
 * and would link unrelated suspects (see PLACEHOLDER_IDS).
 */

const MAX_DEVICE_LENGTH = 256;

/**
 * Values many devices report at once, in lower case:
 * - the nil UUID: iOS returns it as the IDFA when tracking is not authorized,
 *   and Android as the advertising id when the user opted out;
 * - the max UUID (RFC 9562), a sentinel like nil;
 * - 9774d56d682e549c: the ANDROID_ID a whole generation of Android 2.2 devices
 *   shared because of a platform bug;
 * - textual stand-ins that leak from client code.
 */
const PLACEHOLDER_IDS: ReadonlySet<string> = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '9774d56d682e549c',
  'unknown',
  'null',
  'undefined',
  'none',
  'n/a',
]);

export function normalizeDevice(raw: string): NormalizeResult {
  let s = raw.trim();
  if (s.length === 0) return fail('device id is empty');
  if (s.length > MAX_RAW_LENGTH) return fail('device id is longer than 256 characters');
  if (!isAscii(s)) s = s.normalize('NFKC').trim();
  if (s.length === 0) return fail('device id is empty');
  if (s.length > MAX_DEVICE_LENGTH) return fail('device id is longer than 256 characters');
  // Inner spaces are allowed (some providers' device labels have them); tabs
  // and line breaks are not.
  if (hasAnyControlOrInvisible(s)) return fail('device id contains control or invisible characters');

  if (s.length === 38 && s.charCodeAt(0) === 0x7b /* { */ && s.charCodeAt(37) === 0x7d /* } */ && isUuid(s, 1)) {
    s = s.slice(1, 37).toLowerCase();
  } else if (s.length === 36 && isUuid(s, 0)) {
    s = s.toLowerCase();
  }
  if (s.length <= 36 && PLACEHOLDER_IDS.has(s.toLowerCase())) {
    return fail('device id is a placeholder shared by many devices');
  }
  return ok('device', s);
}

/** 8-4-4-4-12 hex digits starting at `start` (any case, any version). */
function isUuid(s: string, start: number): boolean {
  for (let k = 0; k < 36; k++) {
    const c = s.charCodeAt(start + k);
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 0x2d) return false;
      continue;
    }
    const l = c | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (l >= 0x61 && l <= 0x66))) return false;
  }
  return true;
}
