import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BAND_DIGEST_BYTES,
  createTemplateSigner,
  estimateJaccard,
  LSH_BANDS,
  LSH_ROWS,
  lshCollide,
  MATCH_THRESHOLD,
  MINHASH_SIZE,
  minhashFromBytes,
  minhashToBytes,
  shingleJaccard,
  shingles,
  templatesMatch,
} from '../../../src/crypto/minhash.js';
import { CordonError } from '../../../src/errors.js';
import { seededRandom } from '../../../src/fingerprint/template/synthetic.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A random sentence of common words, seeded. */
function sentence(rng: () => number, words: number): string {
  const vocab = 'the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches near old river banks'.split(' ');
  return Array.from({ length: words }, () => vocab[Math.floor(rng() * vocab.length)]).join(' ');
}

describe('keyed MinHash', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);

  it('has consistent parameters', () => {
    expect(LSH_BANDS * LSH_ROWS).toBe(MINHASH_SIZE);
    const sig = createTemplateSigner(key).sign('summarize the following article: <*>');
    expect(sig.minhash).toHaveLength(MINHASH_SIZE);
    expect(sig.bands).toHaveLength(LSH_BANDS);
    for (const band of sig.bands) expect(band).toHaveLength(BAND_DIGEST_BYTES);
  });

  it('matches a known answer, so every provider (and every byte order) signs alike', () => {
    const sig = createTemplateSigner(key).sign('translate <quote> into french.');
    expect(Array.from(sig.minhash.slice(0, 4))).toEqual([776459669, 2587160329, 1841535702, 996079461]);
    expect(hex(sig.bands[0]!)).toBe('3022350367277e7b7bd5864111e9ebcf');
    expect(hex(sig.bands[31]!)).toBe('cd6ec40863b7b294de0558b17734832e');
  });

  it('is deterministic and carries no state between calls', () => {
    const a = createTemplateSigner(key);
    const b = createTemplateSigner(key);
    const first = a.sign('you are a helpful assistant. question: <*>');
    a.sign('x'.repeat(5_000)); // grows the scratch buffers
    a.sign('');
    const again = a.sign('you are a helpful assistant. question: <*>');
    expect(Array.from(again.minhash)).toEqual(Array.from(first.minhash));
    expect(again.bands.map(hex)).toEqual(first.bands.map(hex));
    expect(Array.from(b.sign('you are a helpful assistant. question: <*>').minhash)).toEqual(Array.from(first.minhash));
  });

  it('signs short and empty skeletons, and tells them apart', () => {
    const signer = createTemplateSigner(key);
    const sigs = ['', 'a', 'ab', 'abcd', 'abcde', 'abcdef'].map((s) => signer.sign(s));
    for (let i = 0; i < sigs.length; i++) {
      for (let j = i + 1; j < sigs.length; j++) expect(estimateJaccard(sigs[i]!.minhash, sigs[j]!.minhash)).toBeLessThan(1);
    }
    // 'abcde' is the one shingle both 'abcde' and 'abcdef' have: exact Jaccard 1/2.
    expect(shingleJaccard('abcde', 'abcdef')).toBe(0.5);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => createTemplateSigner(new Uint8Array(31))).toThrow(CordonError);
    expect(() => createTemplateSigner(new Uint8Array(33))).toThrow(/32 bytes/);
  });

  describe('key separation', () => {
    const rng = seededRandom(4);
    const skeletons = Array.from({ length: 50 }, () => sentence(rng, 12));
    const k1 = createTemplateSigner(randomBytes(32));
    const k2 = createTemplateSigner(randomBytes(32));
    const s1 = skeletons.map((s) => k1.sign(s));
    const s2 = skeletons.map((s) => k2.sign(s));

    it('gives unrelated signatures for the same skeleton under different keys', () => {
      for (let i = 0; i < skeletons.length; i++) {
        // 128 independent 32-bit values: any agreement is a 2^-32 accident.
        expect(estimateJaccard(s1[i]!.minhash, s2[i]!.minhash)).toBe(0);
        expect(lshCollide(s1[i]!, s2[i]!)).toBe(false);
        expect(templatesMatch(s1[i]!, s2[i]!)).toBe(false);
      }
    });

    it('shares no band digest across keys, nor across the bands of one signature', () => {
      const underK1 = new Set(s1.flatMap((sig) => sig.bands.map(hex)));
      for (const sig of s2) for (const band of sig.bands) expect(underK1.has(hex(band))).toBe(false);
      for (const sig of [...s1, ...s2]) expect(new Set(sig.bands.map(hex)).size).toBe(LSH_BANDS);
    });

    it('preserves similarity within each key', () => {
      const near = `${skeletons[0]!} today`;
      expect(estimateJaccard(k1.sign(near).minhash, s1[0]!.minhash)).toBeGreaterThan(0.6);
      expect(estimateJaccard(k2.sign(near).minhash, s2[0]!.minhash)).toBeGreaterThan(0.6);
    });
  });

  it('estimates Jaccard without bias, within MinHash error', () => {
    const rng = seededRandom(11);
    let sumError = 0;
    let sumSquared = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const base = sentence(rng, 30);
      // Replace a random-length tail to spread exact Jaccard over (0, 1).
      const cut = Math.floor(rng() * base.length);
      const other = base.slice(0, cut) + sentence(rng, 30).slice(cut);
      const exact = shingleJaccard(base, other);
      // A fresh key per trial: under one key, trials over a small vocabulary
      // share shingles, so their errors are correlated and do not average out.
      const signer = createTemplateSigner(randomBytes(32));
      const estimate = estimateJaccard(signer.sign(base).minhash, signer.sign(other).minhash);
      sumError += estimate - exact;
      sumSquared += (estimate - exact) ** 2;
    }
    // Independent trials: the mean error's standard deviation is ≈ 0.04/√400 = 0.002.
    expect(Math.abs(sumError / trials)).toBeLessThan(0.012);
    // σ = √(J(1−J)/128) ≤ 0.044.
    expect(Math.sqrt(sumSquared / trials)).toBeLessThan(0.05);
  });

  it('estimateJaccard is the share of equal positions', () => {
    const a = Uint32Array.from({ length: MINHASH_SIZE }, (_, i) => i);
    const b = a.slice();
    expect(estimateJaccard(a, b)).toBe(1);
    for (let i = 0; i < 32; i++) b[i] = 1_000_000 + i;
    expect(estimateJaccard(a, b)).toBe(0.75);
    expect(() => estimateJaccard(a, b.subarray(1))).toThrow(CordonError);
  });

  it('matches a template with its edited variant and not with unrelated text', () => {
    const signer = createTemplateSigner(randomBytes(32));
    const t = signer.sign('you are an expert tutor. solve the problem below step by step and box the final answer. problem: <*>');
    const edited = signer.sign('you are an expert tutor. solve the problem below step by step and box your final answer. problem: <*>');
    const other = signer.sign('rewrite the text in a formal tone for a legal audience, keeping every name. text: <*>');
    expect(templatesMatch(t, edited)).toBe(true);
    expect(templatesMatch(t, other)).toBe(false);
    expect(MATCH_THRESHOLD).toBeGreaterThan(0.3);
    expect(MATCH_THRESHOLD).toBeLessThan(0.7);
  });

  it('shingles by 5 UTF-16 units; short strings are one shingle', () => {
    expect([...shingles('abcdefg')]).toEqual(['abcde', 'bcdef', 'cdefg']);
    expect([...shingles('abc')]).toEqual(['abc']);
    expect([...shingles('')]).toEqual(['']);
    expect(shingleJaccard('abcdefg', 'abcdefg')).toBe(1);
    expect(shingleJaccard('abcdefg', 'zzzzzzz')).toBe(0);
  });

  it('round-trips a signature through bytes, and rejects the wrong length', () => {
    const sig = createTemplateSigner(key).sign('hello template');
    const bytes = minhashToBytes(sig.minhash);
    expect(bytes).toHaveLength(MINHASH_SIZE * 4);
    expect(Array.from(minhashFromBytes(bytes))).toEqual(Array.from(sig.minhash));
    // Little-endian on the wire, whatever the host.
    expect(bytes[0]).toBe(sig.minhash[0]! & 0xff);
    expect(() => minhashFromBytes(bytes.subarray(4))).toThrow(CordonError);
  });
});
