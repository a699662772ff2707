import { hashEquals, verifyConsistency } from '../../crypto/merkle/index.js';
import { errorMessage } from '../../errors.js';
import type { SignedTreeHead } from '../tree-head.js';

/**
 * How a log's newest signed head relates to the last one the witness
 * accepted from it (pure; signatures are checked before this):
 * - first: nothing accepted yet;
 * - unchanged: the same size and root;
 * - grows: larger, to be proven consistent (`extensionProblem`);
 * - rollback: smaller than what the log signed before;
 * - second_root: the same size with another root.
 */
export type HeadRelation = 'first' | 'unchanged' | 'grows' | 'rollback' | 'second_root';

export function relateHeads(accepted: SignedTreeHead | undefined, next: SignedTreeHead): HeadRelation {
  if (!accepted) return 'first';
  if (next.size < accepted.size) return 'rollback';
  if (next.size === accepted.size) return hashEquals(next.root, accepted.root) ? 'unchanged' : 'second_root';
  return 'grows';
}

/**
 * Why `proof` fails to show that `next` extends `accepted`, or undefined when
 * it does. The empty tree is extended by every tree; there is nothing to prove.
 */
export function extensionProblem(accepted: SignedTreeHead, next: SignedTreeHead, proof: readonly Uint8Array[]): string | undefined {
  if (accepted.size === 0) return undefined;
  try {
    verifyConsistency(accepted.size, next.size, proof, accepted.root, next.root);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}
