import { MerkleError } from '../../crypto/merkle/index.js';
import { decodeBundle, encodeBundle } from './bundle.js';
import { BUNDLE_SIZE } from './geometry.js';

/** A bundle an append wrote: `extended` when it was stored (partial) before. */
export interface ChangedBundle { readonly index: number; readonly data: Uint8Array; readonly extended: boolean }

/**
 * Appends leaf data to a log's entry bundles (bundle.ts). Pure: starts from
 * the stored partial bundle (if the size is not a multiple of 256) and hands
 * out bundles as they fill (`takeFull`), then the one left open (`takeOpen`).
 */
export class BundleBuilder {
  #index: number;
  /** Bytes of the open bundle as stored before this append (extended, never rewritten). */
  #stored: Uint8Array | undefined;
  #count: number;
  #leaves: Uint8Array[] = [];
  readonly #full: ChangedBundle[] = [];

  /** `partial`: the stored bundle floor(size / 256) when size is not a multiple of 256 (SOURCE_ERROR otherwise). */
  constructor(size: number, partial: { index: number; data: Uint8Array } | undefined) {
    this.#index = Math.floor(size / BUNDLE_SIZE);
    this.#count = size % BUNDLE_SIZE;
    if (this.#count > 0) {
      const held = partial?.index === this.#index ? decodeBundle(partial.data, `bundle ${this.#index}`).length : 0;
      if (held !== this.#count) throw new MerkleError('SOURCE_ERROR', `bundle ${this.#index} should hold ${this.#count} leaves at size ${size}, holds ${held}`);
      this.#stored = partial!.data;
    }
  }

  append(leaf: Uint8Array): void {
    this.#leaves.push(leaf);
    if (++this.#count < BUNDLE_SIZE) return;
    this.#full.push(this.#close());
    this.#index++;
    this.#count = 0;
    this.#stored = undefined;
    this.#leaves = [];
  }

  /** Bundles filled since the last call (each final). */
  takeFull(): ChangedBundle[] {
    return this.#full.splice(0);
  }

  /** The open bundle if this append added to it. */
  takeOpen(): ChangedBundle | undefined {
    return this.#leaves.length > 0 ? this.#close() : undefined;
  }

  #close(): ChangedBundle {
    const added = encodeBundle(this.#leaves);
    const data = this.#stored ? Buffer.concat([this.#stored, added]) : added;
    return { index: this.#index, data, extended: this.#stored !== undefined };
  }
}
