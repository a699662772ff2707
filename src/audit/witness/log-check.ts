import { CordonError } from '../../errors.js';
import { hashEquals } from '../../crypto/merkle/index.js';
import type { LogClient } from '../service/log-client.js';
import { verifyTreeHead, type SignedTreeHead } from '../tree-head.js';
import { headEvidence, proofEvidence } from './finding.js';
import { extensionProblem, relateHeads } from './head-check.js';
import { LogCopy, type LeafConflict } from './log-copy.js';
import type { WitnessEnv } from './witness-env.js';

/** Leaves appended to the copy per transaction during a catch-up. */
export const CATCH_UP_CHUNK = 16_384;

export interface LogCheck {
  /** The head the witness holds for this log after the check. */
  readonly accepted: SignedTreeHead | undefined;
  /** True when that head is the one the log serves now (not stuck behind a rollback or fork). */
  readonly current: boolean;
  /** Batch positions this log filled differently from another copied log (to prove as equivocation). */
  readonly conflicts: LeafConflict[];
}

/**
 * One witness step for one consortium node's log: fetch its newest signed
 * head, verify the signature against the node's key in the manifest, relate
 * it to the last head accepted from it, prove growth with a consistency
 * proof, then fetch the new entries into the copy and accept the head only
 * if the root recomputed over the copy equals the signed root. Anything else
 * is a finding, and the last accepted head stays.
 */
export async function checkLog(env: WitnessEnv, client: LogClient): Promise<LogCheck> {
  const logId = client.peer.id;
  const key = env.membership.activeKey(logId);
  if (!key) throw new CordonError('PERMISSION_DENIED', `${logId} is not an active member`);
  const got = await client.treeHead();
  if (got.logId !== logId || got.head.kid !== logId) throw new CordonError('INVALID_INPUT', `${logId} served a head of log '${got.logId}' signed by '${got.head.kid}'`);
  verifyTreeHead(got.head, key);
  const head = got.head;
  const copy = new LogCopy(env.sql, logId);
  const accepted = await copy.acceptedHead();
  const stay = { accepted, current: false, conflicts: [] };
  switch (relateHeads(accepted, head)) {
    case 'unchanged':
      return { ...stay, current: true };
    case 'rollback':
      await env.report({
        kind: 'rollback', subject: `${logId}:${accepted!.size}`, logId,
        detail: `${logId} serves a signed head of size ${head.size}, smaller than the size ${accepted!.size} it signed before`,
        evidence: { accepted: headEvidence(logId, accepted!), served: headEvidence(logId, head) },
      });
      return stay;
    case 'second_root':
      await env.report({
        kind: 'fork', subject: `${logId}:${accepted!.size}`, logId,
        detail: `${logId} signed two different roots for size ${head.size}`,
        evidence: { accepted: headEvidence(logId, accepted!), served: headEvidence(logId, head) },
      });
      return stay;
    case 'grows': {
      const proof = await proveExtension(client, accepted!, head);
      const problem = typeof proof === 'string' ? proof : extensionProblem(accepted!, head, proof);
      if (problem) {
        await env.report({
          kind: 'fork', subject: `${logId}:${accepted!.size}`, logId,
          detail: `${logId}'s head of size ${head.size} does not extend its head of size ${accepted!.size}: ${problem}`,
          evidence: { accepted: headEvidence(logId, accepted!), served: headEvidence(logId, head), ...(typeof proof === 'string' ? { refused: proof } : { proof: proofEvidence(proof) }) },
        });
        return stay;
      }
      break;
    }
    case 'first':
      break;
  }
  return catchUp(env, client, copy, accepted, head);
}

/** The consistency proof, or the log's reason for not giving one (a transient failure is thrown instead). */
async function proveExtension(client: LogClient, accepted: SignedTreeHead, head: SignedTreeHead): Promise<Uint8Array[] | string> {
  if (accepted.size === 0) return [];
  try {
    return await client.consistencyProof(accepted.size, head.size);
  } catch (err) {
    if (err instanceof CordonError && err.code !== 'UNAVAILABLE') return `refused to prove it: ${err.message}`;
    throw err;
  }
}

/** Fetches [copy size, head.size) into the copy; accepts `head` if its root matches the copy's. */
async function catchUp(env: WitnessEnv, client: LogClient, copy: LogCopy, accepted: SignedTreeHead | undefined, head: SignedTreeHead): Promise<LogCheck> {
  const logId = client.peer.id;
  const base = accepted?.size ?? 0;
  let size = await copy.size();
  // Leaves fetched toward another head that never matched them cannot be a prefix of this one.
  if (size > head.size) {
    await copy.truncate(base);
    size = base;
  }
  const conflicts: LeafConflict[] = [];
  let pending: Uint8Array[] = [];
  let next = size;
  // One write in flight while the next chunk streams in: transfer and storage overlap.
  // Its failure is caught at once (never an unhandled rejection) and rethrown at the next wait.
  let writing: Promise<unknown> = Promise.resolve();
  const written = async () => {
    const failed = await writing;
    if (failed instanceof Error) throw failed;
  };
  const flush = async () => {
    await written();
    const [start, leaves] = [next, pending];
    next += leaves.length;
    pending = [];
    writing = copy.appendAt(start, leaves).then((found) => void conflicts.push(...found), (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  };
  if (size < head.size) {
    for await (const chunk of client.entries(size, head.size)) {
      pending.push(...chunk.leaves);
      if (pending.length >= CATCH_UP_CHUNK) await flush();
    }
    if (pending.length > 0) await flush();
    await written();
  }
  const root = await copy.merkle.root(head.size);
  if (!hashEquals(root, head.root)) {
    await copy.truncate(base);
    await env.report({
      kind: 'bad_entries', subject: `${logId}:${head.size}`, logId,
      detail: `${logId}'s entries up to ${head.size} do not hash to the root it signed for that size`,
      evidence: { served: headEvidence(logId, head), recomputed_root: Buffer.from(root).toString('base64') },
    });
    return { accepted, current: false, conflicts };
  }
  await copy.accept(head);
  return { accepted: head, current: true, conflicts };
}
