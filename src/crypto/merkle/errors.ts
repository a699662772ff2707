import { CordonError } from '../../errors.js';

/**
 * Why a Merkle operation refused its input. Every rejection by this library is a
 * `MerkleError` (a `CordonError` with code INVALID_INPUT, or INTERNAL for
 * `SOURCE_ERROR`), never a stray TypeError/RangeError.
 */
export type MerkleErrorReason =
  /** a tree size is not a safe non-negative integer (0 ≤ n ≤ 2^53 − 1) */
  | 'INVALID_SIZE'
  /** a leaf index is not a safe non-negative integer */
  | 'INVALID_INDEX'
  /** the operation needs a non-empty tree (or, for consistency, size1 > 0) */
  | 'EMPTY_TREE'
  /** leaf index ≥ tree size */
  | 'INDEX_OUT_OF_RANGE'
  /** the requested size is beyond the leaves the tree / source holds */
  | 'SIZE_BEYOND_TREE'
  /** consistency: size1 > size2 */
  | 'SIZE_ORDER'
  /** a hash is not a Uint8Array of exactly 32 bytes */
  | 'BAD_HASH_LENGTH'
  /** the proof is not an array */
  | 'BAD_PROOF_FORMAT'
  /** the proof has fewer elements than the sizes require */
  | 'PROOF_TOO_SHORT'
  /** the proof has more elements than the sizes require */
  | 'PROOF_TOO_LONG'
  /** the proof is well-formed but does not lead to the given root(s) */
  | 'ROOT_MISMATCH'
  /** a subtree range is not a range this library ever asks for / cannot merge */
  | 'BAD_RANGE'
  /** a HashSource answered with the wrong number or shape of hashes */
  | 'SOURCE_ERROR';

export class MerkleError extends CordonError {
  readonly reason: MerkleErrorReason;

  constructor(reason: MerkleErrorReason, message: string, options?: { cause?: unknown }) {
    super(reason === 'SOURCE_ERROR' ? 'INTERNAL' : 'INVALID_INPUT', `merkle: ${message}`, options);
    this.name = 'MerkleError';
    this.reason = reason;
  }
}

export function isMerkleError(err: unknown, reason?: MerkleErrorReason): err is MerkleError {
  return err instanceof MerkleError && (reason === undefined || err.reason === reason);
}
