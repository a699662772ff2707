import { createHash } from 'node:crypto';
import { CordonError } from '../../errors.js';
import { generateProof, verifyProof } from './dleq.js';
import { Ristretto255, type Element, type Scalar } from './group.js';
import { LABEL_FINALIZE, lengthPrefixed, OprfMode, suiteContext, type SuiteContext } from './suite.js';

/**
 * RFC 9497 OPRF (mode 0x00) and VOPRF (mode 0x01) over ristretto255-SHA512:
 * the client's Blind and Finalize, the server's BlindEvaluate (with a batched
 * DLEQ proof in VOPRF mode), DeriveKeyPair. Pure computation; every secret
 * scalar goes through libsodium (group.ts).
 *
 * The blinds and proof nonces are random unless a caller passes them, which
 * only the RFC's test vectors do.
 */
export interface KeyPair { readonly secretKey: Scalar; readonly publicKey: Element }
export interface Blinded { readonly blind: Scalar; readonly blindedElement: Element }
export interface Evaluation { readonly evaluatedElements: Element[]; readonly proof?: Uint8Array }

/** RFC 9497 limits inputs to 2^16 − 1 bytes (I2OSP(len(input), 2)). */
export const MAX_INPUT_BYTES = 0xffff;
const DERIVE_KEY_MAX_COUNTER = 255;

export class Oprf {
  readonly suite: SuiteContext;

  constructor(readonly group: Ristretto255, readonly mode: OprfMode) {
    this.suite = suiteContext(mode);
  }

  static async load(mode: OprfMode): Promise<Oprf> {
    return new Oprf(await Ristretto255.load(), mode);
  }

  get verifiable(): boolean {
    return this.mode === OprfMode.VOPRF;
  }

  /** DeriveKeyPair (RFC 9497 §3.2.1). */
  deriveKeyPair(seed: Uint8Array, info: Uint8Array): KeyPair {
    if (seed.length !== 32) throw new CordonError('INVALID_INPUT', `DeriveKeyPair: seed must be 32 bytes, got ${seed.length}`);
    const deriveInput = Buffer.concat([seed, lengthPrefixed(info)]);
    for (let counter = 0; counter <= DERIVE_KEY_MAX_COUNTER; counter++) {
      const sk = this.group.hashToScalar(Buffer.concat([deriveInput, Uint8Array.of(counter)]), this.suite.deriveKeyPairDst);
      if (!this.group.isZero(sk)) return { secretKey: sk, publicKey: this.group.mulBase(sk) };
    }
    throw new CordonError('INTERNAL', 'DeriveKeyPair: no non-zero scalar in 256 tries');
  }

  /** HashToGroup(input), refusing the identity (RFC 9497 InvalidInputError). */
  inputElement(input: Uint8Array): Element {
    if (input.length > MAX_INPUT_BYTES) throw new CordonError('INVALID_INPUT', `OPRF input is ${input.length} bytes, at most ${MAX_INPUT_BYTES}`);
    const element = this.group.hashToGroup(input, this.suite.hashToGroupDst);
    if (this.group.isIdentity(element)) throw new CordonError('INVALID_INPUT', 'OPRF input hashes to the identity element');
    return element;
  }

  /** Blind (RFC 9497 §3.3.1): blindedElement = blind · HashToGroup(input). */
  blind(input: Uint8Array, blind?: Scalar): Blinded {
    const r = blind ?? this.group.randomScalar();
    return { blind: r, blindedElement: this.group.mul(r, this.inputElement(input)) };
  }

  /**
   * BlindEvaluate (RFC 9497 §3.3.1, §3.3.2 batched): evaluatedElement_i =
   * k · blindedElement_i and, in VOPRF mode, one proof over the batch against
   * `publicKey` = k·G. `r` is the proof nonce (test vectors only).
   */
  blindEvaluate(secretKey: Scalar, publicKey: Element | undefined, blindedElements: readonly Element[], r?: Scalar): Evaluation {
    const evaluatedElements = blindedElements.map((b) => this.group.mul(secretKey, b));
    if (!this.verifiable) return { evaluatedElements };
    if (!publicKey) throw new CordonError('INVALID_INPUT', 'VOPRF BlindEvaluate needs the public key');
    return { evaluatedElements, proof: generateProof(this.group, this.suite, secretKey, publicKey, blindedElements, evaluatedElements, r) };
  }

  /** VerifyProof for a batch (VOPRF mode). */
  verify(publicKey: Element, blindedElements: readonly Element[], evaluatedElements: readonly Element[], proof: Uint8Array): boolean {
    return verifyProof(this.group, this.suite, publicKey, blindedElements, evaluatedElements, proof);
  }

  /** The unblinded element's Finalize hash (RFC 9497 §3.3.1): H(len ‖ input ‖ len ‖ N ‖ "Finalize"). */
  finalizeUnblinded(input: Uint8Array, unblindedElement: Element): Uint8Array {
    return createHash('sha512').update(Buffer.concat([lengthPrefixed(input), lengthPrefixed(unblindedElement), LABEL_FINALIZE])).digest();
  }

  /**
   * Finalize of a batch: N_i = blind_i⁻¹ · evaluatedElement_i, then the hash.
   * In VOPRF mode the proof is checked first (against `verification`), and a
   * proof that fails throws INVALID_SIGNATURE.
   */
  finalize(
    inputs: readonly Uint8Array[],
    blinds: readonly Scalar[],
    evaluatedElements: readonly Element[],
    verification?: { publicKey: Element; blindedElements: readonly Element[]; proof: Uint8Array },
  ): Uint8Array[] {
    if (inputs.length !== blinds.length || inputs.length !== evaluatedElements.length) {
      throw new CordonError('INVALID_INPUT', `Finalize: ${inputs.length} inputs, ${blinds.length} blinds, ${evaluatedElements.length} evaluated elements`);
    }
    if (this.verifiable) {
      if (!verification) throw new CordonError('INVALID_INPUT', 'VOPRF Finalize needs the public key, blinded elements and proof');
      if (!this.verify(verification.publicKey, verification.blindedElements, evaluatedElements, verification.proof)) {
        throw new CordonError('INVALID_SIGNATURE', 'VOPRF Finalize: the evaluation proof does not verify');
      }
    }
    return inputs.map((input, i) => this.finalizeUnblinded(input, this.group.mul(this.group.scalarInvert(blinds[i]!), evaluatedElements[i]!)));
  }

  /** Evaluate (RFC 9497 §3.3.1): the server's direct output for an input it knows. Tests and key checks only. */
  evaluate(secretKey: Scalar, input: Uint8Array): Uint8Array {
    return this.finalizeUnblinded(input, this.group.mul(secretKey, this.inputElement(input)));
  }
}
