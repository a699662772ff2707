import { campaignScore, type CampaignFacts } from '../match/score.js';
import type { CampaignRow } from '../match/types.js';

/** The campaign's facts its score is computed from, as the campaign store holds them. */
export type ScoreRow = Pick<CampaignRow, 'providers' | 'account_count' | 'token_kinds' | 'max_similarity' | 'mean_provider_score' | 'confirmed' | 'false_positive' | 'score'>;

const facts = (r: ScoreRow): CampaignFacts => ({
  providers: r.providers.length, accounts: r.account_count, tokenKinds: r.token_kinds.length,
  maxSimilarity: r.max_similarity, meanProviderScore: r.mean_provider_score, confirmed: r.confirmed, falsePositive: r.false_positive,
});

/**
 * One line saying what a campaign's score is made of (src/match/score.ts):
 * each term is read off campaignScore itself — the score with that fact
 * zeroed subtracted from the whole — so the explanation cannot drift from the
 * formula. Terms are shown to two decimals; they add up to the score within
 * rounding.
 */
export function explainScore(r: ScoreRow): string {
  const f = facts(r);
  const whole = campaignScore(f);
  const term = (zeroed: Partial<CampaignFacts>) => (whole - campaignScore({ ...f, ...zeroed })).toFixed(2);
  const parts = [
    `${term({ providers: 1 })} for ${f.providers} providers`,
    `${term({ accounts: 1 })} for ${f.accounts} accounts`,
    `${term({ tokenKinds: 0 })} for ${f.tokenKinds} kinds of shared identifier`,
    `${term({ maxSimilarity: 0 })} for template similarity ${f.maxSimilarity.toFixed(2)}`,
    `${term({ meanProviderScore: 0 })} for the providers' own mean score ${f.meanProviderScore.toFixed(2)}`,
  ];
  const feedback = f.confirmed || f.falsePositive ? `, then feedback (${f.confirmed} confirmed, ${f.falsePositive} false positive)` : '';
  return `score ${r.score.toFixed(2)} of 1, how strongly the consortium ranks it = ${parts.join(' + ')}${feedback}`;
}
