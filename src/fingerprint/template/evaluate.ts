import { estimateJaccard, MATCH_THRESHOLD, shingles, type TemplateSignature } from '../../crypto/minhash.js';

/**
 * Measures template matching against ground truth: over all pairs of a set
 * of skeletons, the exact Jaccard similarity of their shingle sets versus
 * what a receiver concludes from the signatures alone (an LSH candidate —
 * a shared band digest — whose estimated similarity reaches the threshold).
 * Used by the acceptance test and the `templates` benchmark. Pure; O(n²)
 * pairs, so meant for a few thousand skeletons.
 */

/** Pairs at least this similar must match (the acceptance criterion's "recall at 0.7"). */
export const POSITIVE_JACCARD = 0.7;
/** Pairs at most this similar must not (the "false matches at 0.3"). */
export const NEGATIVE_JACCARD = 0.3;
/** Negatives above this are the hard ones: near the boundary, where false matches would show first. */
export const HARD_NEGATIVE_JACCARD = 0.2;

export interface MatchQuality {
  readonly items: number;
  readonly pairs: number;
  /** Pairs sharing at least one band digest. */
  readonly candidates: number;
  readonly positives: number;
  /** Share of positive pairs that match. */
  readonly recall: number;
  readonly negatives: number;
  /** Share of negative pairs that match. */
  readonly falseMatchRate: number;
  readonly hardNegatives: number;
  readonly hardFalseMatchRate: number;
  /** Root-mean-square error of the estimated Jaccard over pairs with exact Jaccard > HARD_NEGATIVE_JACCARD. */
  readonly estimateRmse: number;
}

/** Each skeleton's shingles as sorted integer ids (interned, so intersections are exact and cheap). */
function internedShingles(skeletons: readonly string[]): Int32Array[] {
  const ids = new Map<string, number>();
  return skeletons.map((s) => {
    const set = shingles(s);
    const out = new Int32Array(set.size);
    let k = 0;
    for (const sh of set) {
      let id = ids.get(sh);
      if (id === undefined) ids.set(sh, (id = ids.size));
      out[k++] = id;
    }
    return out.sort();
  });
}

function jaccardSorted(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const d = a[i]! - b[j]!;
    if (d === 0) {
      inter++;
      i++;
      j++;
    } else if (d < 0) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** Pairs (i < j, as i·n + j) that share a band digest in the same band. */
function candidatePairs(signatures: readonly TemplateSignature[]): Set<number> {
  const n = signatures.length;
  const byDigest = new Map<string, number[]>();
  const pairs = new Set<number>();
  signatures.forEach((sig, i) => {
    sig.bands.forEach((band, b) => {
      const key = `${b}:${Buffer.from(band.buffer, band.byteOffset, band.byteLength).toString('hex')}`;
      const earlier = byDigest.get(key);
      if (!earlier) {
        byDigest.set(key, [i]);
        return;
      }
      for (const e of earlier) pairs.add(e * n + i);
      earlier.push(i);
    });
  });
  return pairs;
}

export function evaluateMatching(skeletons: readonly string[], signatures: readonly TemplateSignature[], threshold = MATCH_THRESHOLD): MatchQuality {
  if (skeletons.length !== signatures.length) throw new Error('evaluateMatching: one signature per skeleton');
  const n = skeletons.length;
  const sets = internedShingles(skeletons);
  const candidates = candidatePairs(signatures);
  let positives = 0;
  let truePositives = 0;
  let negatives = 0;
  let falseMatches = 0;
  let hard = 0;
  let hardFalse = 0;
  let squaredError = 0;
  let estimated = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const exact = jaccardSorted(sets[i]!, sets[j]!);
      const isCandidate = candidates.has(i * n + j);
      const needsEstimate = isCandidate || exact > HARD_NEGATIVE_JACCARD;
      const estimate = needsEstimate ? estimateJaccard(signatures[i]!.minhash, signatures[j]!.minhash) : 0;
      const match = isCandidate && estimate >= threshold;
      if (exact > HARD_NEGATIVE_JACCARD) {
        squaredError += (estimate - exact) ** 2;
        estimated++;
      }
      if (exact >= POSITIVE_JACCARD) {
        positives++;
        if (match) truePositives++;
      } else if (exact <= NEGATIVE_JACCARD) {
        negatives++;
        if (match) falseMatches++;
        if (exact > HARD_NEGATIVE_JACCARD) {
          hard++;
          if (match) hardFalse++;
        }
      }
    }
  }
  return {
    items: n,
    pairs: (n * (n - 1)) / 2,
    candidates: candidates.size,
    positives,
    recall: positives ? truePositives / positives : Number.NaN,
    negatives,
    falseMatchRate: negatives ? falseMatches / negatives : Number.NaN,
    hardNegatives: hard,
    hardFalseMatchRate: hard ? hardFalse / hard : Number.NaN,
    estimateRmse: estimated ? Math.sqrt(squaredError / estimated) : Number.NaN,
  };
}
