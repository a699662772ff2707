import { createHash } from 'node:crypto';

/** A batch's chain digest: SHA-256 of its exact serialized bytes. */
export function batchDigest(batchBytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(batchBytes).digest();
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
