import { createHash } from 'node:crypto';
import { CordonError } from '../../errors.js';
import type { Element, Ristretto255, Scalar } from './group.js';
import { LABEL_CHALLENGE, LABEL_COMPOSITE, lengthPrefixed, PROOF_BYTES, SCALAR_BYTES, type SuiteContext } from './suite.js';

/**
 * Batched discrete-log-equality proofs (RFC 9497 §2.2): a server holding k
 * with B = k·G proves D[i] = k·C[i] for every i at once, in 64 bytes. The
 * composite element M = Σ d_i·C[i] (d_i hashed from the whole batch) folds
 * the batch into one Chaum–Pedersen proof, so one wrong D[i] makes the proof
 * fail except with negligible probability.
 *
 * Here A is always the generator G, as everywhere in RFC 9497.
 */
const sha512 = (data: Uint8Array): Uint8Array => createHash('sha512').update(data).digest();

/** The per-batch seed prefix of the composite weights: I2OSP(len(seed), 2) ‖ seed, seed = H(len ‖ B ‖ len ‖ "Seed-" ‖ context). */
export function compositeSeed(suite: SuiteContext, B: Element): Uint8Array {
  return lengthPrefixed(sha512(Buffer.concat([lengthPrefixed(B), lengthPrefixed(suite.seedDst)])));
}

/**
 * The composite weights d_i (ComputeComposites, RFC 9497 §2.2.1) of the
 * elements C[j], D[j] sitting at batch positions offset + j: a slice of a
 * batch can be weighted on its own (evaluation-pool.ts splits batches so).
 */
export function compositeWeights(group: Ristretto255, suite: SuiteContext, seed: Uint8Array, C: readonly Element[], D: readonly Element[], offset = 0): Scalar[] {
  const weights = new Array<Scalar>(C.length);
  for (let j = 0; j < C.length; j++) {
    const i = offset + j;
    const transcript = Buffer.concat([seed, Uint8Array.of(i >> 8, i & 0xff), lengthPrefixed(C[j]!), lengthPrefixed(D[j]!), LABEL_COMPOSITE]);
    weights[j] = group.hashToScalar(transcript, suite.hashToScalarDst);
  }
  return weights;
}

function challenge(group: Ristretto255, suite: SuiteContext, B: Element, M: Element, Z: Element, t2: Element, t3: Element): Scalar {
  const transcript = Buffer.concat([lengthPrefixed(B), lengthPrefixed(M), lengthPrefixed(Z), lengthPrefixed(t2), lengthPrefixed(t3), LABEL_CHALLENGE]);
  return group.hashToScalar(transcript, suite.hashToScalarDst);
}

export function checkBatch(C: readonly Element[], D: readonly Element[]): void {
  if (C.length === 0 || C.length !== D.length) {
    throw new CordonError('INVALID_INPUT', `DLEQ proof: needs as many evaluated elements as blinded ones, at least one (got ${C.length} and ${D.length})`);
  }
  if (C.length > 0xffff) throw new CordonError('INVALID_INPUT', `DLEQ proof: a batch holds at most ${0xffff} elements (I2OSP(i, 2)), got ${C.length}`);
}

/**
 * GenerateProof (RFC 9497 §2.2.1) with ComputeCompositesFast (Z = k·M).
 * `r` is the proof nonce: random unless given (test vectors only).
 */
export function generateProof(group: Ristretto255, suite: SuiteContext, k: Scalar, B: Element, C: readonly Element[], D: readonly Element[], r?: Scalar): Uint8Array {
  checkBatch(C, D);
  const M = group.sumOfProducts(compositeWeights(group, suite, compositeSeed(suite, B), C, D), C);
  return proofFromComposite(group, suite, k, B, M, r);
}

/** The rest of GenerateProof once the composite M = Σ d_i·C[i] is known (a batch's slices may compute their parts of it apart). */
export function proofFromComposite(group: Ristretto255, suite: SuiteContext, k: Scalar, B: Element, M: Element, r?: Scalar): Uint8Array {
  const Z = group.mul(k, M);
  const nonce = r ?? group.randomScalar();
  const t2 = group.mulBase(nonce);
  const t3 = group.mul(nonce, M);
  const c = challenge(group, suite, B, M, Z, t2, t3);
  const s = group.scalarSub(nonce, group.scalarMul(c, k));
  if (r === undefined) group.wipe(nonce);
  const proof = new Uint8Array(PROOF_BYTES);
  proof.set(c, 0);
  proof.set(s, SCALAR_BYTES);
  return proof;
}

/** VerifyProof (RFC 9497 §2.2.2). False for a proof that does not hold; throws INVALID_INPUT for malformed bytes. */
export function verifyProof(group: Ristretto255, suite: SuiteContext, B: Element, C: readonly Element[], D: readonly Element[], proof: Uint8Array): boolean {
  checkBatch(C, D);
  if (!(proof instanceof Uint8Array) || proof.length !== PROOF_BYTES) throw new CordonError('INVALID_INPUT', `DLEQ proof: must be ${PROOF_BYTES} bytes, got ${proof?.length}`);
  const c = group.scalar(proof.subarray(0, SCALAR_BYTES), 'DLEQ proof c');
  const s = group.scalar(proof.subarray(SCALAR_BYTES), 'DLEQ proof s');
  const weights = compositeWeights(group, suite, compositeSeed(suite, B), C, D);
  const M = group.sumOfProducts(weights, C);
  const Z = group.sumOfProducts(weights, D);
  // s or c may be zero in a forged proof; the group refuses a zero scalar, so add the terms by hand.
  const sA = group.isZero(s) ? undefined : group.mulBase(s);
  const cB = group.isZero(c) ? undefined : group.mul(c, B);
  const sM = group.isZero(s) ? undefined : group.mul(s, M);
  const cZ = group.isZero(c) ? undefined : group.mul(c, Z);
  if (!sA || !cB || !sM || !cZ) return false;
  const expected = challenge(group, suite, B, M, Z, group.add(sA, cB), group.add(sM, cZ));
  return group.scalarEquals(expected, c);
}
