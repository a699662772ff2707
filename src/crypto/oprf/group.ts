import { CordonError } from '../../errors.js';
import { expandMessageXmd } from './expand-message.js';
import { loadSodium, type Sodium } from './sodium.js';
import { ELEMENT_BYTES, SCALAR_BYTES } from './suite.js';

/**
 * The ristretto255 group (RFC 9496) as RFC 9497 §2.1 uses it, over libsodium
 * (sodium.ts): elements are their canonical 32-byte encodings and scalars
 * 32-byte little-endian integers below the group order L. Scalar
 * multiplication and scalar arithmetic are libsodium's constant-time code,
 * so this class is safe for secret scalars (keys, key shares, proof nonces,
 * blinds).
 *
 * Decoding is strict: `element` accepts only a canonical encoding of a
 * non-identity element, `scalar` only a canonical scalar; both throw
 * INVALID_INPUT naming where the bytes came from.
 */
export type Element = Uint8Array;
export type Scalar = Uint8Array;

/** HashToGroup / HashToScalar read 64 uniform bytes (RFC 9497 §4.1: 48 + 16 bits of margin, rounded to the map's input). */
const UNIFORM_BYTES = 64;
const IDENTITY = new Uint8Array(ELEMENT_BYTES);

export class Ristretto255 {
  private constructor(private readonly na: Sodium) {}

  static async load(): Promise<Ristretto255> {
    return new Ristretto255(await loadSodium());
  }

  // ------------------------------------------------------------------ hashing

  /** hash_to_ristretto255 (RFC 9380 §6.8.1 with RFC 9496's one-way map). */
  hashToGroup(msg: Uint8Array, dst: Uint8Array): Element {
    return this.na.crypto_core_ristretto255_from_hash(expandMessageXmd(msg, dst, UNIFORM_BYTES));
  }

  /** 64 uniform bytes, little-endian, reduced mod L (RFC 9497 §4.1). */
  hashToScalar(msg: Uint8Array, dst: Uint8Array): Scalar {
    return this.na.crypto_core_ristretto255_scalar_reduce(expandMessageXmd(msg, dst, UNIFORM_BYTES));
  }

  // ------------------------------------------------------------------ elements

  /** scalar · element; constant time in the scalar. Throws if the result is the identity (a zero scalar). */
  mul(scalar: Scalar, element: Element): Element {
    try {
      return this.na.crypto_scalarmult_ristretto255(scalar, element);
    } catch {
      throw new CordonError('INVALID_INPUT', 'ristretto255: scalar multiplication gave the identity (zero scalar or invalid element)');
    }
  }

  /** scalar · G; constant time. */
  mulBase(scalar: Scalar): Element {
    try {
      return this.na.crypto_scalarmult_ristretto255_base(scalar);
    } catch {
      throw new CordonError('INVALID_INPUT', 'ristretto255: base multiplication by a zero scalar');
    }
  }

  add(a: Element, b: Element): Element {
    return this.na.crypto_core_ristretto255_add(a, b);
  }

  sub(a: Element, b: Element): Element {
    return this.na.crypto_core_ristretto255_sub(a, b);
  }

  isIdentity(e: Element): boolean {
    return e.length === ELEMENT_BYTES && this.na.memcmp(e, IDENTITY);
  }

  /** Σ scalars[i] · elements[i]. Only for public values: the sum's intermediate identities are not hidden. */
  sumOfProducts(scalars: readonly Scalar[], elements: readonly Element[]): Element {
    let acc: Element | undefined;
    for (let i = 0; i < elements.length; i++) {
      const term = this.mul(scalars[i]!, elements[i]!);
      acc = acc === undefined ? term : this.add(acc, term);
    }
    return acc ?? IDENTITY.slice();
  }

  /**
   * DeserializeElement (RFC 9497 §2.1): a canonical encoding of a group
   * element other than the identity. `where` names the bytes' source.
   */
  element(bytes: Uint8Array, where: string): Element {
    if (!(bytes instanceof Uint8Array) || bytes.length !== ELEMENT_BYTES) {
      throw new CordonError('INVALID_INPUT', `${where}: a ristretto255 element is ${ELEMENT_BYTES} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
    }
    if (!this.na.crypto_core_ristretto255_is_valid_point(bytes)) throw new CordonError('INVALID_INPUT', `${where}: not a canonical ristretto255 encoding`);
    if (this.isIdentity(bytes)) throw new CordonError('INVALID_INPUT', `${where}: is the identity element`);
    return bytes;
  }

  // ------------------------------------------------------------------- scalars

  /** DeserializeScalar (RFC 9497 §2.1): 32 bytes, little-endian, below L. */
  scalar(bytes: Uint8Array, where: string): Scalar {
    if (!(bytes instanceof Uint8Array) || bytes.length !== SCALAR_BYTES) {
      throw new CordonError('INVALID_INPUT', `${where}: a ristretto255 scalar is ${SCALAR_BYTES} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`);
    }
    const wide = new Uint8Array(2 * SCALAR_BYTES);
    wide.set(bytes);
    if (!this.na.memcmp(this.na.crypto_core_ristretto255_scalar_reduce(wide), bytes)) throw new CordonError('INVALID_INPUT', `${where}: scalar is not below the group order`);
    return bytes;
  }

  /** A uniformly random non-zero scalar (RFC 9497 RandomScalar). */
  randomScalar(): Scalar {
    for (;;) {
      const s = this.na.crypto_core_ristretto255_scalar_random();
      if (!this.isZero(s)) return s;
    }
  }

  isZero(s: Scalar): boolean {
    return this.na.is_zero(s);
  }

  scalarEquals(a: Scalar, b: Scalar): boolean {
    return a.length === b.length && this.na.memcmp(a, b);
  }

  /** The scalar of a small non-negative integer (share indices, polynomial degrees). */
  scalarOf(n: number): Scalar {
    if (!Number.isSafeInteger(n) || n < 0) throw new CordonError('INVALID_INPUT', `ristretto255: ${n} is not a non-negative integer`);
    const s = new Uint8Array(SCALAR_BYTES);
    for (let i = 0, v = n; v > 0; i++, v = Math.floor(v / 256)) s[i] = v % 256;
    return s;
  }

  scalarAdd(a: Scalar, b: Scalar): Scalar {
    return this.na.crypto_core_ristretto255_scalar_add(a, b);
  }

  scalarSub(a: Scalar, b: Scalar): Scalar {
    return this.na.crypto_core_ristretto255_scalar_sub(a, b);
  }

  scalarMul(a: Scalar, b: Scalar): Scalar {
    return this.na.crypto_core_ristretto255_scalar_mul(a, b);
  }

  scalarInvert(a: Scalar): Scalar {
    if (this.isZero(a)) throw new CordonError('INVALID_INPUT', 'ristretto255: zero has no inverse');
    return this.na.crypto_core_ristretto255_scalar_invert(a);
  }

  /** Overwrites a secret scalar in place. */
  wipe(s: Uint8Array): void {
    this.na.memzero(s);
  }
}
