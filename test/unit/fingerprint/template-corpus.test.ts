import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTemplateSigner } from '../../../src/crypto/minhash.js';
import { evaluateMatching, type MatchQuality } from '../../../src/fingerprint/template/evaluate.js';
import { skeleton } from '../../../src/fingerprint/template/skeleton.js';
import { renderPrompt, seededRandom, syntheticTemplates } from '../../../src/fingerprint/template/synthetic.js';

/**
 * Acceptance: on a generated corpus (many templates × fresh payloads × 1–3
 * word edits), prompt → skeleton → keyed MinHash → LSH + verification gives
 * recall ≥ 0.95 on pairs whose exact skeleton-shingle Jaccard is ≥ 0.7, and
 * ≤ 1% false matches on pairs ≤ 0.3 — including the hard ones in (0.2, 0.3]
 * that share boilerplate. Seeded, so every run sees the same corpus; the key
 * is random, so the property cannot hinge on one lucky key.
 */
const TEMPLATES = 300;
const PROMPTS_PER_TEMPLATE = 4;

describe('template matching on a generated corpus', () => {
  let quality: MatchQuality;

  beforeAll(() => {
    const templates = syntheticTemplates(20_240_601, TEMPLATES);
    const rng = seededRandom(77);
    const skeletons: string[] = [];
    for (const t of templates) {
      for (let k = 0; k < PROMPTS_PER_TEMPLATE; k++) {
        // The first prompt of each template is unedited; the others carry 1–3 edits.
        skeletons.push(skeleton(renderPrompt(rng, t, k === 0 ? 0 : 1 + Math.floor(rng() * 3))));
      }
    }
    const signer = createTemplateSigner(randomBytes(32));
    quality = evaluateMatching(skeletons, skeletons.map((s) => signer.sign(s)));
  });

  it('has enough pairs on each side of the thresholds to mean something', () => {
    expect(quality.positives).toBeGreaterThan(500);
    expect(quality.hardNegatives).toBeGreaterThan(1_000);
    expect(quality.negatives).toBeGreaterThan(100_000);
  });

  it('recalls ≥ 0.95 of pairs with Jaccard ≥ 0.7', () => {
    expect(quality.recall).toBeGreaterThanOrEqual(0.95);
  });

  it('falsely matches ≤ 1% of pairs with Jaccard ≤ 0.3, and of the hard ones in (0.2, 0.3]', () => {
    expect(quality.falseMatchRate).toBeLessThanOrEqual(0.01);
    expect(quality.hardFalseMatchRate).toBeLessThanOrEqual(0.01);
  });

  it('estimates Jaccard within MinHash error (σ ≤ 0.044 for 128 values)', () => {
    expect(quality.estimateRmse).toBeLessThan(0.06);
  });
});
