import { CordonError } from '../../errors.js';
import type { Element, Scalar } from './group.js';
import type { Oprf } from './oprf.js';
import { lagrangeAtZero } from './shamir.js';

/**
 * Threshold evaluation, client side. The key k is Shamir-shared: holder j
 * has k_j = f(j) with f(0) = k. Each of t holders returns Z_ij = k_j · B_i
 * for the same blinded elements B_i = r_i · H(x_i) (with its own DLEQ proof
 * against k_j·G, checked before anything is combined). Then
 *
 *   N_i = Σ_j (λ_j · r_i⁻¹) · Z_ij = r_i⁻¹ · k · B_i = k · H(x_i)
 *
 * is exactly the unblinded element of a single server holding k, so tokens
 * are the RFC 9497 outputs under k whichever t holders answered. Folding
 * r_i⁻¹ into the Lagrange coefficient saves one scalar multiplication per
 * element.
 */
export interface PartialEvaluation {
  /** The holder's share index (its x in 1..n). */
  readonly index: number;
  /** Z_ij for every blinded element, in order; its proof already verified. */
  readonly evaluatedElements: readonly Element[];
}

/** Answers a batch of blinded elements with t verified partial evaluations under `epoch`'s key. */
export interface BlindEvaluator {
  /** Largest batch one evaluate() call takes; callers split bigger ones. */
  readonly maxBatch: number;
  evaluate(epoch: number, blindedElements: readonly Element[]): Promise<PartialEvaluation[]>;
}

/** The unblinded elements k·H(x_i) from t partial evaluations. */
export function unblindThreshold(oprf: Oprf, blinds: readonly Scalar[], partials: readonly PartialEvaluation[]): Element[] {
  const group = oprf.group;
  if (partials.length === 0) throw new CordonError('INVALID_INPUT', 'threshold unblinding needs at least one partial evaluation');
  for (const p of partials) {
    if (p.evaluatedElements.length !== blinds.length) {
      throw new CordonError('INVALID_INPUT', `partial evaluation of share ${p.index} has ${p.evaluatedElements.length} elements for ${blinds.length} inputs`);
    }
  }
  const lambdas = lagrangeAtZero(group, partials.map((p) => p.index));
  return blinds.map((blind, i) => {
    const inverse = group.scalarInvert(blind);
    let acc: Element | undefined;
    for (let j = 0; j < partials.length; j++) {
      const term = group.mul(group.scalarMul(lambdas[j]!, inverse), partials[j]!.evaluatedElements[i]!);
      acc = acc === undefined ? term : group.add(acc, term);
    }
    group.wipe(inverse);
    return acc!;
  });
}
