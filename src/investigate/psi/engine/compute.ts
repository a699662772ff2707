import type { BlindingKey } from '../curve/blinding-key.js';
import { hashToCurve } from '../curve/hash-to-curve.js';
import { POINT_BYTES } from '../curve/points.js';

/** The work itself, shared by the inline engine and the worker threads. */
const utf8 = new TextEncoder();

export function blindElementsNow(key: BlindingKey, elements: readonly string[], dst: Uint8Array): Uint8Array {
  const points = hashToCurve(elements.map((e) => utf8.encode(e)), dst);
  // hash_to_curve output is a cofactor-cleared curve point by construction: nothing to check.
  return key.blindUnchecked(points, POINT_BYTES, 'own set');
}

export function reblindNow(key: BlindingKey, points: Uint8Array, width: number, where: string): Uint8Array {
  return key.blind(points, width, where);
}
