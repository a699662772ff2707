import { compositeSeed, compositeWeights } from '../dleq.js';
import type { Element, Scalar } from '../group.js';
import type { Oprf } from '../oprf.js';

/**
 * One slice of a VOPRF batch evaluation (RFC 9497 BlindEvaluateBatch with
 * ComputeCompositesFast), the part that grows with the batch: D_i = k·C_i for
 * the slice's elements and the slice's share Σ d_i·C_i of the composite M,
 * with d_i weighted at the elements' positions in the whole batch. Summing
 * the slices' composites gives the batch's M, from which one proof is made
 * (dleq.ts proofFromComposite), byte for byte the proof of the whole batch.
 */
export interface SliceInput {
  readonly share: Scalar;
  readonly publicShare: Element;
  readonly elements: readonly Element[];
  /** Position of elements[0] in the batch. */
  readonly offset: number;
}

export interface SliceOutput {
  readonly evaluated: Element[];
  readonly composite: Element;
}

export function evaluateSlice(oprf: Oprf, input: SliceInput): SliceOutput {
  const group = oprf.group;
  const evaluated = input.elements.map((c) => group.mul(input.share, c));
  const weights = compositeWeights(group, oprf.suite, compositeSeed(oprf.suite, input.publicShare), input.elements, evaluated, input.offset);
  return { evaluated, composite: group.sumOfProducts(weights, input.elements) };
}
