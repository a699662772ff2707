import { MerkleError } from './errors.js';
import { assertHash } from './hash.js';

/** Validates an untrusted proof: an array of 32-byte hashes (null/undefined count as empty). */
export function checkProof(proof: unknown): readonly Uint8Array[] {
  if (proof === null || proof === undefined) return [];
  if (!Array.isArray(proof)) throw new MerkleError('BAD_PROOF_FORMAT', `proof must be an array of hashes, got ${typeof proof}`);
  for (let i = 0; i < proof.length; i++) assertHash(proof[i], `proof element ${i}`);
  return proof as readonly Uint8Array[];
}

export function checkProofLength(got: number, want: number, what: string): void {
  if (got < want) throw new MerkleError('PROOF_TOO_SHORT', `${what} proof has ${got} elements, needs ${want}`);
  if (got > want) throw new MerkleError('PROOF_TOO_LONG', `${what} proof has ${got} elements, needs ${want}`);
}
