import type { Oprf } from '../oprf/oprf.js';
import { unblindThreshold, type BlindEvaluator } from '../oprf/threshold.js';
import { checkEpoch, encodeTokenInput, TOKEN_BYTES, type TokenInput, type TokenPrf } from './token-prf.js';

/**
 * Oblivious mode of the token PRF (DESIGN §4): token = the first 32 bytes of
 * the RFC 9497 VOPRF output (ristretto255-SHA512) of encodeTokenInput(epoch,
 * kind, value) under the epoch's consortium key, which no one holds whole.
 *
 * The provider blinds each input, hands only the blinded elements to a
 * BlindEvaluator (src/federation/oprf: t consortium nodes, each proving its
 * evaluation against its public share), combines the verified partial
 * evaluations with Lagrange coefficients in the exponent, unblinds and
 * finalizes. Inputs, blinds and tokens never leave this object.
 *
 * Truncating the 64-byte output to 32 keeps every token the same size in
 * both modes (TOKEN_BYTES); a prefix of a SHA-512 output is itself a
 * 256-bit pseudorandom value.
 */
export class OprfTokenPrf implements TokenPrf {
  readonly mode = 'oblivious' as const;

  /** `oprf` in VOPRF mode; `evaluator` answers with verified partial evaluations. */
  constructor(private readonly oprf: Oprf, private readonly evaluator: BlindEvaluator) {}

  async tokenizeBatch(epoch: number, items: readonly TokenInput[]): Promise<Uint8Array[]> {
    checkEpoch(epoch);
    if (items.length === 0) return [];
    const tokens: Uint8Array[] = [];
    for (let start = 0; start < items.length; start += this.evaluator.maxBatch) {
      tokens.push(...(await this.#tokenizeChunk(epoch, items.slice(start, start + this.evaluator.maxBatch))));
    }
    return tokens;
  }

  async #tokenizeChunk(epoch: number, items: readonly TokenInput[]): Promise<Uint8Array[]> {
    const inputs = items.map((item) => encodeTokenInput(epoch, item.kind, item.value));
    const blinded = inputs.map((input) => this.oprf.blind(input));
    try {
      const partials = await this.evaluator.evaluate(epoch, blinded.map((b) => b.blindedElement));
      const unblinded = unblindThreshold(this.oprf, blinded.map((b) => b.blind), partials);
      return inputs.map((input, i) => this.oprf.finalizeUnblinded(input, unblinded[i]!).slice(0, TOKEN_BYTES));
    } finally {
      for (const b of blinded) this.oprf.group.wipe(b.blind);
    }
  }
}
