import { sameBytes } from '../../federation/chain/digest.js';
import { batchOfLeaf, batchRef, decodeLogLeaf } from '../log-leaf.js';
import type { TransparencyLog } from '../transparency-log.js';
import { batchesAt, batchesLoggedPast, overdueBatches } from './batch-log-store.js';

/** How long an accepted batch may stay out of the log before fsck calls it escaped (issue 5: 10 s). */
export const LOG_DEADLINE_MS = 10_000;
/** Leaves read per step. */
const STEP = 16_384;

export type CoverageProblemKind =
  | 'unlogged' // accepted more than LOG_DEADLINE_MS ago, still not logged
  | 'leaf_without_batch' // a batch leaf for a batch this node does not hold
  | 'leaf_mismatch' // a batch leaf whose digest or signature is not the held batch's
  | 'index'; // batches.log_idx does not point at the batch's leaf

export interface CoverageProblem { kind: CoverageProblemKind; ref: string; detail: string }

/**
 * Checks that nothing acknowledged escaped the log: every accepted batch
 * older than the deadline is logged, every batch leaf names a held batch
 * with its exact digest and signature, and each batch's log_idx points at its own leaf.
 * Reads the log once; reports up to `max` problems.
 */
export async function checkBatchCoverage(log: TransparencyLog, max = 1000): Promise<{ problems: CoverageProblem[]; batchLeaves: number }> {
  const problems: CoverageProblem[] = [];
  const add = (p: CoverageProblem) => problems.length < max && problems.push(p);
  for (const b of await overdueBatches(log.sql, LOG_DEADLINE_MS, max)) {
    add({ kind: 'unlogged', ref: batchRef(b.providerId, b.seq), detail: `accepted ${b.receivedAt.toISOString()} and not in the log` });
  }
  const size = await log.size();
  let batchLeaves = 0;
  for (let from = 0; from < size; from += STEP) {
    const leaves = await log.merkle.leaves(from, Math.min(size, from + STEP));
    const found: { providerId: string; seq: bigint; digest: Uint8Array; signature: string; idx: number }[] = [];
    leaves.forEach((leaf, i) => {
      try {
        const b = batchOfLeaf(decodeLogLeaf(leaf, `leaf ${from + i}`), `leaf ${from + i}`);
        if (b) found.push({ ...b, idx: from + i });
      } catch {
        // Leaves of other modules' kinds need not decode here; fsck's hashes cover them.
      }
    });
    batchLeaves += found.length;
    const held = await batchesAt(log.sql, found);
    for (const f of found) {
      const ref = batchRef(f.providerId, f.seq);
      const h = held.get(ref);
      if (!h) add({ kind: 'leaf_without_batch', ref, detail: `leaf ${f.idx} records a batch this node does not hold` });
      else if (!sameBytes(h.digest, f.digest) || h.signature !== f.signature) add({ kind: 'leaf_mismatch', ref, detail: `leaf ${f.idx} records another digest or signature than the held batch's` });
      else if (h.logIdx !== f.idx) add({ kind: 'index', ref, detail: `the batch's log_idx is ${h.logIdx}, its leaf is ${f.idx}` });
    }
  }
  for (const b of await batchesLoggedPast(log.sql, size, max)) {
    add({ kind: 'index', ref: batchRef(b.providerId, b.seq), detail: `log_idx ${b.logIdx} is past the log's ${size} leaves` });
  }
  return { problems, batchLeaves };
}
