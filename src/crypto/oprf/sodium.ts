import sodiumDefault from 'libsodium-wrappers-sumo';
import type * as SodiumApi from 'libsodium-wrappers-sumo';

/**
 * libsodium, for every ristretto255 operation of the OPRF (RFC 9497).
 *
 * Which build, and why: sodium-native (native bindings with prebuilt
 * binaries) installs cleanly here, but its bindings stop at the ed25519 core
 * and carry none of libsodium's crypto_core_ristretto255_* /
 * crypto_scalarmult_ristretto255 functions (their ristretto pull request was
 * closed unmerged). libsodium-wrappers-sumo is libsodium itself compiled to
 * WebAssembly, with the whole ristretto255 API: constant-time scalar
 * multiplication and scalar arithmetic, hash-to-group (the RFC 9496 one-way
 * map) and canonical decoding. Every operation on a server's secret scalar
 * (key shares, proof nonces) goes through it; no secret scalar ever meets
 * variable-time JavaScript bignum code.
 *
 * The WebAssembly module is instantiated asynchronously once per thread;
 * everything that needs it awaits `loadSodium()` first.
 */
export type Sodium = typeof SodiumApi;

let loading: Promise<Sodium> | undefined;

export function loadSodium(): Promise<Sodium> {
  // The functions are attached to the default export once the module is instantiated;
  // the package's named ESM exports carry only a few helpers.
  return (loading ??= sodiumDefault.ready.then(() => sodiumDefault as unknown as Sodium));
}
