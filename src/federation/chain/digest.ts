import { createHash } from 'node:crypto';

/** The JWS typ of a provider's batch signature (checked by every verifier: no cross-protocol reuse). */
export const BATCH_SIGNATURE_TYP = 'cordon-batch+jws';

/** A batch's chain digest: SHA-256 of its exact serialized bytes. */
export function batchDigest(batchBytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(batchBytes).digest();
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
