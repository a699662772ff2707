/**
 * The ristretto255-SHA512 ciphersuite of RFC 9497 (§4.1) and its per-mode
 * domain separation (§3.1): every hash of the protocol is bound to
 * contextString = "OPRFV1-" ‖ I2OSP(mode, 1) ‖ "-" ‖ identifier.
 */
export const SUITE_ID = 'ristretto255-SHA512';

/** RFC 9497 §3.1 mode bytes. POPRF (0x02) is not implemented: Cordon has no public per-query input. */
export const OprfMode = { OPRF: 0x00, VOPRF: 0x01 } as const;
export type OprfMode = (typeof OprfMode)[keyof typeof OprfMode];

/** Ne, Ns, Nh of the suite: element, scalar and hash output sizes in bytes. */
export const ELEMENT_BYTES = 32;
export const SCALAR_BYTES = 32;
export const OUTPUT_BYTES = 64;
/** A batched DLEQ proof: c ‖ s. */
export const PROOF_BYTES = 2 * SCALAR_BYTES;

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** The mode's domain separation tags, computed once. */
export interface SuiteContext {
  readonly mode: OprfMode;
  readonly context: Uint8Array;
  readonly hashToGroupDst: Uint8Array;
  readonly hashToScalarDst: Uint8Array;
  readonly deriveKeyPairDst: Uint8Array;
  readonly seedDst: Uint8Array;
}

export function suiteContext(mode: OprfMode): SuiteContext {
  const context = new Uint8Array([...ascii('OPRFV1-'), mode, ...ascii(`-${SUITE_ID}`)]);
  const tagged = (prefix: string) => new Uint8Array([...ascii(prefix), ...context]);
  return {
    mode,
    context,
    hashToGroupDst: tagged('HashToGroup-'),
    hashToScalarDst: tagged('HashToScalar-'),
    deriveKeyPairDst: tagged('DeriveKeyPair'),
    seedDst: tagged('Seed-'),
  };
}

/** I2OSP(len(x), 2) ‖ x: how RFC 9497 frames every variable-length transcript field. */
export function lengthPrefixed(x: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + x.length);
  out[0] = x.length >> 8;
  out[1] = x.length & 0xff;
  out.set(x, 2);
  return out;
}

export const LABEL_FINALIZE = ascii('Finalize');
export const LABEL_CHALLENGE = ascii('Challenge');
export const LABEL_COMPOSITE = ascii('Composite');
