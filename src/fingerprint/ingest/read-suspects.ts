import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CordonError, fileProblem, firstIssue } from '../../errors.js';
import { SuspectSchema } from '../suspect.js';
import type { SuspectRow } from './tokenize-suspects.js';

/**
 * Reads a suspects file (JSON lines, the format `cordon detect` writes). A line
 * that is not a suspect at all (bad JSON, missing fields) fails the whole file
 * with its line number: nothing is published from a file that is not what it
 * claims to be. Values that do not normalize are handled later, per value.
 * Error messages name fields, never echo values (they may be raw identifiers).
 */
export async function readSuspectsFile(path: string): Promise<SuspectRow[]> {
  const rows: SuspectRow[] = [];
  let n = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new CordonError('INVALID_INPUT', `${path}:${n}: not JSON`);
      }
      const parsed = SuspectSchema.safeParse(json);
      if (!parsed.success) {
        throw new CordonError('INVALID_INPUT', `${path}:${n}: ${firstIssue(parsed.error, 'line')}`);
      }
      rows.push({ row: n, suspect: parsed.data });
    }
  } catch (err) {
    if (err instanceof CordonError) throw err;
    throw new CordonError('INVALID_INPUT', `${path}: ${fileProblem(err)}`);
  }
  if (rows.length === 0) throw new CordonError('INVALID_INPUT', `${path}: no suspects`);
  return rows;
}
