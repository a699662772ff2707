import { CompactEncrypt, compactDecrypt, decodeProtectedHeader, errors as joseErrors } from 'jose';
import { CordonError } from '../../../errors.js';
import { encKeyThumbprint, importEncPublicJwk, parseEncPublicJwk, type EncryptionKey } from '../../../crypto/encryption-key.js';
import { SCALAR_BYTES } from '../../../crypto/oprf/suite.js';

/**
 * A secret scalar of the OPRF key (a dealer's sub-share for one holder, or a
 * node's own share at rest) as a compact JWE to one member's X25519 key
 * (ECDH-ES+A256KW, A256GCM), like the consortium secret
 * (crypto/consortium-secret.ts). The protected header, authenticated by the
 * AEAD, binds the scalar to its place: recipient (id and key thumbprint),
 * epoch, generation and origin (the dealer, or "self" for a share at rest),
 * so a sub-share cannot be replayed into another deal, epoch or holder.
 */
export const SCALAR_JWE_TYP = 'cordon-oprf-scalar+jwe';
const ALG = 'ECDH-ES+A256KW';
const ENC = 'A256GCM';

/** Where a sealed scalar belongs; every field is checked when it is opened. */
export interface ScalarPlace {
  readonly recipient: string;
  readonly epoch: number;
  readonly generation: number;
  /** The dealer's node id, or 'self' for a node's own share at rest. */
  readonly origin: string;
}

export async function sealScalar(scalar: Uint8Array, recipientJwk: unknown, place: ScalarPlace): Promise<string> {
  const where = `encryption key of '${place.recipient}'`;
  const jwk = parseEncPublicJwk(recipientJwk, where);
  return new CompactEncrypt(Uint8Array.from(scalar))
    .setProtectedHeader({
      alg: ALG, enc: ENC, typ: SCALAR_JWE_TYP, kid: place.recipient,
      cordon_recipient: encKeyThumbprint(jwk), cordon_epoch: place.epoch, cordon_generation: place.generation, cordon_origin: place.origin,
    })
    .encrypt(importEncPublicJwk(jwk, where));
}

/** Decrypts a sealed scalar with the recipient's key, checking it belongs at `place`. */
export async function openScalar(jwe: string, key: EncryptionKey, place: ScalarPlace, where: string): Promise<Uint8Array> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwe) as Record<string, unknown>;
  } catch {
    throw new CordonError('INVALID_INPUT', `${where}: not a compact JWE`);
  }
  const expected: Record<string, unknown> = {
    typ: SCALAR_JWE_TYP, alg: ALG, enc: ENC, kid: place.recipient, cordon_recipient: key.thumbprint,
    cordon_epoch: place.epoch, cordon_generation: place.generation, cordon_origin: place.origin,
  };
  for (const [name, value] of Object.entries(expected)) {
    if (header[name] !== value) throw new CordonError('INVALID_INPUT', `${where}: header ${name} is ${JSON.stringify(header[name])}, expected ${JSON.stringify(value)}`);
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, key.privateKey, { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] }));
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw new CordonError('INVALID_SIGNATURE', `${where}: cannot be decrypted with this node's encryption key (altered or corrupt)`, { cause: err });
    throw err;
  }
  if (plaintext.length !== SCALAR_BYTES) throw new CordonError('INVALID_INPUT', `${where}: decrypts to ${plaintext.length} bytes, not a ${SCALAR_BYTES}-byte scalar`);
  return plaintext;
}
