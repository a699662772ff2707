import { H2C_SUITE } from '../curve/hash-to-curve.js';

/**
 * One party's private set: distinct elements, each in the canonical form
 * both parties agreed on (`kind`: 'raw', or an identifier kind normalized by
 * src/fingerprint/normalize). Elements never leave the node that holds them.
 */
export interface ElementSet {
  readonly kind: string;
  readonly elements: readonly string[];
}

/** 'raw' (bytes as given) or an identifier kind; letters, digits and underscores only. */
export const ELEMENT_KIND = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * The hash-to-curve domain separation tag (RFC 9380 §3.1 format): one per
 * element kind, so that elements of different kinds never map to the same
 * point.
 */
export function hashDst(kind: string): Uint8Array {
  return new TextEncoder().encode(`CORDON-PSI-V1-${kind}-with-${H2C_SUITE}`);
}
