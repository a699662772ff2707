import { beforeAll, describe, expect, it } from 'vitest';
import type { Element, Scalar } from '../../../src/crypto/oprf/group.js';
import { Oprf } from '../../../src/crypto/oprf/oprf.js';
import { commit, commitmentAt, evaluatePolynomial, lagrangeAtZero, randomPolynomial, shareMatches } from '../../../src/crypto/oprf/shamir.js';
import { OprfMode } from '../../../src/crypto/oprf/suite.js';
import type { BlindEvaluator, PartialEvaluation } from '../../../src/crypto/oprf/threshold.js';
import { OprfTokenPrf } from '../../../src/crypto/prf/oblivious-prf.js';
import { encodeTokenInput, TOKEN_BYTES } from '../../../src/crypto/prf/token-prf.js';

/**
 * Threshold OPRF arithmetic without a network: Shamir shares with Feldman
 * commitments, the joint key of several dealers, resharing to new holders,
 * and OprfTokenPrf over an in-memory evaluator — whichever t holders answer,
 * the token is the RFC 9497 output under the whole key, which no party held.
 */
let oprf: Oprf;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

beforeAll(async () => {
  oprf = await Oprf.load(OprfMode.VOPRF);
});

/** Holders answering with their shares, proving each batch, optionally lying. */
class MemoryHolders implements BlindEvaluator {
  readonly maxBatch = 3;
  calls = 0;
  constructor(private readonly shares: Map<number, Scalar>, private readonly ask: number[], private readonly liar?: number) {}
  async evaluate(_epoch: number, blinded: readonly Element[]): Promise<PartialEvaluation[]> {
    this.calls++;
    return this.ask.map((index) => {
      const share = this.shares.get(index)!;
      const publicShare = oprf.group.mulBase(share);
      const { evaluatedElements, proof } = oprf.blindEvaluate(share, publicShare, blinded);
      if (index === this.liar) evaluatedElements[0] = oprf.group.mulBase(oprf.group.randomScalar());
      if (!oprf.verify(publicShare, blinded, evaluatedElements, proof!)) throw new Error(`holder ${index}: wrong evaluation caught by its proof`);
      return { index, evaluatedElements };
    });
  }
}

function split(secret: Scalar, t: number, n: number): Map<number, Scalar> {
  const f = randomPolynomial(oprf.group, t, secret);
  return new Map(Array.from({ length: n }, (_, i) => [i + 1, evaluatePolynomial(oprf.group, f, i + 1)]));
}

function interpolate(shares: Map<number, Scalar>, xs: number[]): Scalar {
  const lambdas = lagrangeAtZero(oprf.group, xs);
  return xs.reduce((acc, x, i) => oprf.group.scalarAdd(acc, oprf.group.scalarMul(lambdas[i]!, shares.get(x)!)), oprf.group.scalarOf(0));
}

describe('Shamir shares of a ristretto255 scalar', () => {
  it('any t shares give the secret back; t − 1 do not', () => {
    const k = oprf.group.randomScalar();
    const shares = split(k, 3, 5);
    for (const xs of [[1, 2, 3], [2, 4, 5], [5, 1, 3]]) expect(hex(interpolate(shares, xs))).toBe(hex(k));
    expect(hex(interpolate(shares, [1, 2]))).not.toBe(hex(k));
  });

  it('Feldman commitments check each share and give every public share', () => {
    const f = randomPolynomial(oprf.group, 2);
    const c = commit(oprf.group, f);
    const s2 = evaluatePolynomial(oprf.group, f, 2);
    expect(shareMatches(oprf.group, c, 2, s2)).toBe(true);
    expect(shareMatches(oprf.group, c, 3, s2)).toBe(false);
    expect(hex(commitmentAt(oprf.group, c, 2))).toBe(hex(oprf.group.mulBase(s2)));
    expect(hex(c[0]!)).toBe(hex(oprf.group.mulBase(f[0]!)));
  });

  it('refuses repeated or out-of-range share indices', () => {
    expect(() => lagrangeAtZero(oprf.group, [1, 1])).toThrow(/repeat/);
    expect(() => lagrangeAtZero(oprf.group, [0, 2])).toThrow(/share index must be/);
  });
});

describe('joint key generation and resharing (arithmetic of the ceremony)', () => {
  it('the sum of several dealers\' polynomials is a key no dealer knows, shared t-of-n', () => {
    const dealers = [1, 2, 3].map(() => randomPolynomial(oprf.group, 2));
    const shares = new Map([1, 2, 3].map((x) => [x, dealers.map((f) => evaluatePolynomial(oprf.group, f, x)).reduce((a, b) => oprf.group.scalarAdd(a, b))]));
    const key = dealers.map((f) => f[0]!).reduce((a, b) => oprf.group.scalarAdd(a, b));
    expect(hex(interpolate(shares, [1, 3]))).toBe(hex(key));
    // The summed commitments are the key's: A_0 is its public key, and each holder's public share follows.
    const commitments = [0, 1].map((k) => dealers.map((f) => commit(oprf.group, f)[k]!).reduce((a, b) => oprf.group.add(a, b)));
    expect(hex(commitments[0]!)).toBe(hex(oprf.group.mulBase(key)));
    expect(hex(commitmentAt(oprf.group, commitments, 2))).toBe(hex(oprf.group.mulBase(shares.get(2)!)));
  });

  it('resharing from t old holders to new holders keeps the key', () => {
    const k = oprf.group.randomScalar();
    const old = split(k, 2, 3);
    // Old holders 1 and 3 deal their shares to four new holders, threshold 3.
    const dealt = [1, 3].map((x) => randomPolynomial(oprf.group, 3, old.get(x)!));
    const lambdas = lagrangeAtZero(oprf.group, [1, 3]);
    const fresh = new Map([1, 2, 3, 4].map((y) => [y, dealt.map((g, i) => oprf.group.scalarMul(lambdas[i]!, evaluatePolynomial(oprf.group, g, y))).reduce((a, b) => oprf.group.scalarAdd(a, b))]));
    expect(hex(interpolate(fresh, [2, 3, 4]))).toBe(hex(k));
    expect(hex(interpolate(fresh, [1, 4]))).not.toBe(hex(k));
  });
});

describe('OprfTokenPrf over threshold holders', () => {
  const items = [
    { kind: 'email' as const, value: 'alice@example.org' },
    { kind: 'phone' as const, value: '+33612345678' },
    { kind: 'device' as const, value: 'dev-1' },
    { kind: 'email' as const, value: 'bob@example.org' },
  ];

  it('gives the RFC 9497 output under the whole key, whichever t holders answer, in batches of maxBatch', async () => {
    const k = oprf.group.randomScalar();
    const shares = split(k, 2, 3);
    const expected = items.map((it) => hex(oprf.evaluate(k, encodeTokenInput(7, it.kind, it.value)).subarray(0, TOKEN_BYTES)));
    for (const ask of [[1, 2], [2, 3], [3, 1]]) {
      const holders = new MemoryHolders(shares, ask);
      const tokens = await new OprfTokenPrf(oprf, holders).tokenizeBatch(7, items);
      expect(tokens.map(hex)).toEqual(expected);
      expect(holders.calls).toBe(2); // 4 items, 3 per call
    }
  });

  it('separates epochs and kinds, and never gets the key from fewer than t holders', async () => {
    const k = oprf.group.randomScalar();
    const shares = split(k, 2, 3);
    const [a] = await new OprfTokenPrf(oprf, new MemoryHolders(shares, [1, 2])).tokenizeBatch(1, items.slice(0, 1));
    const [b] = await new OprfTokenPrf(oprf, new MemoryHolders(shares, [1, 2])).tokenizeBatch(2, items.slice(0, 1));
    const [c] = await new OprfTokenPrf(oprf, new MemoryHolders(shares, [1, 2])).tokenizeBatch(1, [{ kind: 'device', value: items[0]!.value }]);
    const [alone] = await new OprfTokenPrf(oprf, new MemoryHolders(shares, [2])).tokenizeBatch(1, items.slice(0, 1));
    expect(new Set([a, b, c, alone].map((t) => hex(t!))).size).toBe(4);
    expect(a).toHaveLength(TOKEN_BYTES);
  });

  it('a holder answering with a wrong evaluation is caught by its proof', async () => {
    const shares = split(oprf.group.randomScalar(), 2, 3);
    await expect(new OprfTokenPrf(oprf, new MemoryHolders(shares, [1, 2], 2)).tokenizeBatch(1, items)).rejects.toThrow(/holder 2: wrong evaluation caught/);
  });
});
