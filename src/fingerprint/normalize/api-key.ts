import { createHash } from 'node:crypto';
import { hasControlOrInvisible, hasWhitespace, MAX_RAW_LENGTH } from './text.js';
import { fail, ok, type NormalizeResult } from './types.js';

/**
 * API key: the value fed to the PRF is the hex SHA-256 of the trimmed key,
 * never the key itself, so a live credential is not held in tokenization
 * buffers, batch files or crash dumps past this point.
 *
 * This hash is an intermediate, not a shareable identifier: an unkeyed hash
 * of a guessable value is not anonymous (DESIGN §4), and it must go through
 * the keyed PRF like every other normalized value before leaving the
 * provider. (Keys are high-entropy, so guessing is not the worry; leaking a
 * key that still works is.)
 *
 * No case folding or Unicode normalization: keys are exact byte strings.
 */
export function normalizeApiKey(raw: string): NormalizeResult {
  const s = raw.trim();
  if (s.length === 0) return fail('api key is empty');
  if (s.length > MAX_RAW_LENGTH) return fail('api key is longer than 1024 characters');
  if (hasWhitespace(s)) return fail('api key contains whitespace');
  if (hasControlOrInvisible(s)) return fail('api key contains control or invisible characters');
  return ok('api_key', createHash('sha256').update(s, 'utf8').digest('hex'));
}
