import { CordonError, errorMessage } from '../../errors.js';
import { hashEquals } from '../../crypto/merkle/index.js';
import type { LogClient } from '../service/log-client.js';
import type { LogHead } from '../service/wire.js';
import { verifyTreeHead } from '../tree-head.js';
import { headEvidence, proofEvidence } from './finding.js';
import { extensionProblem } from './head-check.js';
import { LogCopy } from './log-copy.js';
import type { WitnessEnv } from './witness-env.js';

/**
 * Split-view detection: checks every head `observer` says it saw from the
 * other consortium nodes' logs against the witness's own view of those logs.
 * Only heads validly signed by the log they name count (an observer cannot
 * frame a log). A head no larger than the witness's accepted one must have
 * the root the witness's copy gives at its size; a larger one must be proven
 * (by the log itself) to extend the accepted head.
 */
export async function checkGossip(env: WitnessEnv, observer: LogClient, logClient: (logId: string) => LogClient | undefined): Promise<number> {
  let checked = 0;
  for (const seen of await observer.observedTreeHeads()) {
    if (seen.logId === observer.peer.id || seen.head.size === 0 || seen.head.kid !== seen.logId) continue;
    const key = env.membership.activeKey(seen.logId);
    if (!key) continue;
    try {
      verifyTreeHead(seen.head, key);
    } catch {
      env.logger.debug('gossiped head does not verify; ignored', { observer: observer.peer.id, log: seen.logId, size: seen.head.size });
      continue;
    }
    const copy = new LogCopy(env.sql, seen.logId);
    const accepted = await copy.acceptedHead();
    if (!accepted) continue;
    const problem = await mismatch(copy, accepted.size, seen, logClient(seen.logId));
    checked++;
    if (!problem) continue;
    await env.report({
      kind: 'split_view',
      subject: `${seen.logId}:${seen.head.size}:${Buffer.from(seen.head.root).toString('hex').slice(0, 16)}`,
      logId: seen.logId,
      detail: `${seen.logId} showed ${observer.peer.id} a signed head of size ${seen.head.size} that does not fit the tree it shows the witness: ${problem.reason}`,
      evidence: { seen_by: observer.peer.id, seen: headEvidence(seen.logId, seen.head), witness_accepted: headEvidence(seen.logId, accepted), ...problem.evidence },
    });
  }
  return checked;
}

async function mismatch(copy: LogCopy, acceptedSize: number, seen: LogHead, client: LogClient | undefined): Promise<{ reason: string; evidence: Record<string, unknown> } | undefined> {
  if (seen.head.size <= acceptedSize) {
    const root = await copy.merkle.root(seen.head.size);
    if (hashEquals(root, seen.head.root)) return undefined;
    return { reason: `the witness's copy has another root at size ${seen.head.size}`, evidence: { witness_root_at_size: Buffer.from(root).toString('base64') } };
  }
  // Every tree extends the empty one (and RFC 9162 has no proof for it): there is nothing to
  // check yet. The gossiped head is checked again in later rounds, once the witness holds more.
  if (!client || acceptedSize === 0) return undefined;
  const accepted = (await copy.acceptedHead())!;
  let proof: Uint8Array[];
  try {
    proof = await client.consistencyProof(acceptedSize, seen.head.size);
  } catch (err) {
    if (err instanceof CordonError && err.code === 'UNAVAILABLE') throw err;
    return { reason: `${seen.logId} cannot prove it extends the witness's head of size ${acceptedSize} (${errorMessage(err)})`, evidence: { refused: errorMessage(err) } };
  }
  const problem = extensionProblem(accepted, seen.head, proof);
  return problem ? { reason: problem, evidence: { proof: proofEvidence(proof) } } : undefined;
}
