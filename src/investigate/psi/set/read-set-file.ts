import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CordonError, fileProblem } from '../../../errors.js';
import { normalizeIdentifier } from '../../../fingerprint/normalize/index.js';
import { IDENTIFIER_KINDS, type IdentifierKind } from '../../../fingerprint/suspect.js';
import { MAX_SET_SIZE } from '../protocol/limits.js';
import type { ElementSet } from './element-set.js';

/** Lines that fail to normalize are listed this many at a time before the rest are only counted. */
const LISTED_PROBLEMS = 10;

export type SetKind = 'raw' | IdentifierKind;
export const SET_KINDS: readonly SetKind[] = ['raw', ...IDENTIFIER_KINDS];

/**
 * Reads a set file: UTF-8 text, one element per line. Leading and trailing
 * whitespace is trimmed; empty lines and lines starting with '#' are skipped;
 * repeated elements count once. With an identifier kind, every line is
 * normalized as src/fingerprint/normalize does for tokens (so two providers'
 * surface forms of one email match); a line that does not normalize fails the
 * whole file, naming its line number and the reason, never its content.
 */
export async function readSetFile(path: string, kind: SetKind): Promise<ElementSet> {
  if (!SET_KINDS.includes(kind)) throw new CordonError('INVALID_INPUT', `set kind '${kind}' is not one of ${SET_KINDS.join(', ')}`);
  const seen = new Set<string>();
  const problems: string[] = [];
  let problemCount = 0;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNo++;
      const raw = line.trim();
      if (raw === '' || raw.startsWith('#')) continue;
      const value = kind === 'raw' ? raw : normalizeAs(kind, raw);
      if (typeof value !== 'string') {
        if (problemCount++ < LISTED_PROBLEMS) problems.push(`line ${lineNo}: ${value.reason}`);
        continue;
      }
      seen.add(value);
      if (seen.size > MAX_SET_SIZE) throw new CordonError('INVALID_INPUT', `set file ${path}: more than ${MAX_SET_SIZE} distinct elements`);
    }
  } catch (err) {
    if (err instanceof CordonError) throw err;
    throw new CordonError('INVALID_INPUT', `set file ${path}: ${fileProblem(err)}`);
  }
  if (problemCount > 0) {
    const more = problemCount > problems.length ? `; and ${problemCount - problems.length} more` : '';
    throw new CordonError('INVALID_INPUT', `set file ${path}: ${problemCount} line(s) are not a valid ${kind}: ${problems.join('; ')}${more}`);
  }
  return { kind, elements: [...seen] };
}

/** The canonical value of the requested kind (an IP address also yields a prefix token; PSI uses the address). */
function normalizeAs(kind: IdentifierKind, raw: string): string | { reason: string } {
  const result = normalizeIdentifier(kind, raw);
  if (!result.ok) return { reason: result.reason };
  return (result.values.find((v) => v.kind === kind) ?? result.values[0]!).value;
}
