/**
 * A campaign's score in [0, 1]: transparent, additive, each term bounded, so
 * an analyst can read why a campaign ranks where it does. Weights sum to 1
 * before feedback; feedback then moves the score (confirmations up, false
 * positives down, a false positive weighing more: one provider's "this is
 * our customer's load test" outweighs a guess).
 */
export interface CampaignFacts {
  providers: number;
  accounts: number;
  /** Distinct kinds of shared tokens (email, payment, …). */
  tokenKinds: number;
  /** Highest verified template similarity among its links (0 without templates). */
  maxSimilarity: number;
  /** Mean of the providers' own scores of the linked records. */
  meanProviderScore: number;
  confirmed: number;
  falsePositive: number;
}

export const SCORE_WEIGHTS = {
  /** 2 providers → 1/3, 4 or more → full weight: breadth across labs is the strongest signal. */
  providers: 0.35,
  /** log-scaled: 64 accounts → full weight. */
  accounts: 0.2,
  /** 4 kinds → full weight: several independent identifiers agreeing. */
  tokenKinds: 0.15,
  templates: 0.1,
  providerScores: 0.2,
} as const;

const CONFIRMED_STEP = 0.1;
const FALSE_POSITIVE_STEP = 0.25;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function campaignScore(f: CampaignFacts): number {
  const w = SCORE_WEIGHTS;
  const base =
    w.providers * clamp01((f.providers - 1) / 3) +
    w.accounts * clamp01(Math.log2(Math.max(1, f.accounts)) / 6) +
    w.tokenKinds * clamp01(f.tokenKinds / 4) +
    w.templates * clamp01(f.maxSimilarity) +
    w.providerScores * clamp01(f.meanProviderScore);
  const score = clamp01(base + CONFIRMED_STEP * f.confirmed - FALSE_POSITIVE_STEP * f.falsePositive);
  return Math.round(score * 1000) / 1000;
}
