import { CordonError } from '../../errors.js';
import type { Element, Ristretto255, Scalar } from './group.js';

/**
 * Shamir secret sharing over the ristretto255 scalar field, with Feldman
 * commitments (each coefficient aᵢ published as aᵢ·G) so that anyone can
 * check a share against the dealer's polynomial without learning it, and
 * compute every holder's public share key f(x)·G from the commitments alone.
 *
 * Share indices are the holders' positions 1..n (x = 0 is the secret).
 * Polynomial evaluation uses libsodium's constant-time scalar arithmetic: the
 * coefficients and shares are secrets.
 */

/** Degree t − 1 polynomial with random coefficients; `constant` fixes f(0) (resharing an existing share). */
export function randomPolynomial(group: Ristretto255, threshold: number, constant?: Scalar): Scalar[] {
  if (!Number.isInteger(threshold) || threshold < 1) throw new CordonError('INVALID_INPUT', `threshold must be a whole number ≥ 1, got ${threshold}`);
  const coefficients: Scalar[] = [constant ? Uint8Array.from(constant) : group.randomScalar()];
  for (let k = 1; k < threshold; k++) coefficients.push(group.randomScalar());
  return coefficients;
}

/** f(x) by Horner's rule. */
export function evaluatePolynomial(group: Ristretto255, coefficients: readonly Scalar[], x: number): Scalar {
  checkIndex(x);
  const xs = group.scalarOf(x);
  let acc: Scalar = Uint8Array.from(coefficients[coefficients.length - 1]!);
  for (let k = coefficients.length - 2; k >= 0; k--) acc = group.scalarAdd(group.scalarMul(acc, xs), coefficients[k]!);
  return acc;
}

/** Feldman commitments [a₀·G, a₁·G, …]. */
export function commit(group: Ristretto255, coefficients: readonly Scalar[]): Element[] {
  return coefficients.map((a) => group.mulBase(a));
}

/** Σ C_k · x^k: the public value f(x)·G of a committed polynomial (public inputs only). */
export function commitmentAt(group: Ristretto255, commitments: readonly Element[], x: number): Element {
  checkIndex(x);
  const xs = group.scalarOf(x);
  let power = group.scalarOf(1);
  let acc = commitments[0]!;
  for (let k = 1; k < commitments.length; k++) {
    power = group.scalarMul(power, xs);
    acc = group.add(acc, group.mul(power, commitments[k]!));
  }
  return acc;
}

/** Whether share·G equals the committed polynomial at x (Feldman's check). */
export function shareMatches(group: Ristretto255, commitments: readonly Element[], x: number, share: Scalar): boolean {
  if (group.isZero(share)) return false;
  const expected = commitmentAt(group, commitments, x);
  return Buffer.from(group.mulBase(share)).equals(Buffer.from(expected));
}

/**
 * Lagrange coefficients at 0 for the share indices `xs`: λ_j = Π_{m≠j} x_m / (x_m − x_j).
 * Σ λ_j · f(x_j) = f(0) for any polynomial of degree < |xs|.
 */
export function lagrangeAtZero(group: Ristretto255, xs: readonly number[]): Scalar[] {
  if (xs.length === 0) throw new CordonError('INVALID_INPUT', 'Lagrange coefficients need at least one index');
  xs.forEach(checkIndex);
  if (new Set(xs).size !== xs.length) throw new CordonError('INVALID_INPUT', `share indices repeat: ${xs.join(', ')}`);
  return xs.map((xj) => {
    let num = group.scalarOf(1);
    let den = group.scalarOf(1);
    for (const xm of xs) {
      if (xm === xj) continue;
      num = group.scalarMul(num, group.scalarOf(xm));
      den = group.scalarMul(den, group.scalarSub(group.scalarOf(xm), group.scalarOf(xj)));
    }
    return group.scalarMul(num, group.scalarInvert(den));
  });
}

/** Largest holder count: indices fit the wire's uint32 and stay far below the group order. */
export const MAX_HOLDERS = 1024;

function checkIndex(x: number): void {
  if (!Number.isInteger(x) || x < 1 || x > MAX_HOLDERS) throw new CordonError('INVALID_INPUT', `share index must be 1..${MAX_HOLDERS}, got ${x}`);
}
