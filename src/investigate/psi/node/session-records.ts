import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PsiOutcome } from '../protocol/party.js';

/**
 * Each finished session leaves a record in the node's data directory
 * (data_dir/psi/sessions/SESSION.json): who, which role and mode, the sizes,
 * and the summary with both signatures, so the node can show or re-record it.
 * Never elements: those go only to the result file the operator named.
 */
export async function writeSessionRecord(dataDir: string, role: 'initiator' | 'responder', peer: string, outcome: PsiOutcome): Promise<string> {
  const dir = join(dataDir, 'psi', 'sessions');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const id = Buffer.from(outcome.sessionId).toString('hex');
  const path = join(dir, `${id}.json`);
  const record = {
    session_id: id,
    role,
    peer,
    mode: outcome.mode,
    own_set_size: outcome.ownSetSize,
    peer_set_size: outcome.peerSetSize,
    ...(outcome.intersectionSize !== undefined ? { intersection_size: outcome.intersectionSize } : {}),
    summary: Buffer.from(outcome.signed.summary).toString('base64'),
    initiator_signature: outcome.signed.initiatorSignature,
    responder_signature: outcome.signed.responderSignature,
  };
  await writeFile(path, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
  return path;
}

/** Writes the elements a party learned, one per line (0600: they are raw identifiers). */
export async function writeIntersection(path: string, elements: readonly string[]): Promise<void> {
  await writeFile(path, elements.length === 0 ? '' : elements.join('\n') + '\n', { mode: 0o600 });
}
