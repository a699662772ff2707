import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CordonError, errorMessage } from '../../../errors.js';
import { isCaseId } from '../lifecycle.js';
import type { QueryOpening } from '../query-commitment.js';

/**
 * The openings of the cases a member opened (query-commitment.ts), kept in
 * its node directory, one file per case, readable by the node's owner only:
 * the salt is what keeps the logged commitment from answering "did this
 * member ask about that identifier?", and it leaves this machine only inside
 * an escalation bundle encrypted to the regulator.
 */
export const OPENINGS_DIR = 'case-openings';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

function pathOf(nodeDir: string, caseId: string): string {
  // Case ids come from the node; the check keeps one from naming a path elsewhere.
  if (!isCaseId(caseId)) throw new CordonError('INVALID_INPUT', `case opening: '${caseId.slice(0, 80)}' is not a case id`);
  return join(nodeDir, OPENINGS_DIR, `${caseId}.json`);
}

export async function saveOpening(nodeDir: string, opening: QueryOpening): Promise<string> {
  const path = pathOf(nodeDir, opening.case_id);
  await mkdir(join(nodeDir, OPENINGS_DIR), { recursive: true, mode: DIR_MODE });
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(opening) + '\n', { mode: FILE_MODE });
  await rename(tmp, path);
  return path;
}

/** The opening kept for `caseId`, or undefined when this node directory has none (the case was opened elsewhere). */
export async function loadOpening(nodeDir: string, caseId: string): Promise<unknown> {
  const path = pathOf(nodeDir, caseId);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CordonError('INVALID_INPUT', `case opening ${path}: ${errorMessage(err)}`);
  }
}
