import { PROMPT_KMV, TEMPLATE_SLOTS, type AccountStore } from './accounts/store.js';
import { bottomKEstimate, linearCount, popcount32, heavyHitterTop } from './sketch/sketches.js';
import { TOPIC_COUNT } from './text/topics.js';

/**
 * Named per-account features, read off the sketches once the stream ends.
 * Pure: a function of the store and the population-wide context, no I/O.
 * A feature the data cannot support (too few requests, no timestamps of
 * account creation…) is NaN, and scoring treats NaN as "no evidence".
 */
export interface Features {
  requests: number;
  /** Requests relative to the median account in the same logs: scale-free volume. */
  volumeRatio: number;
  cotShare: number;
  outInRatio: number;
  /** Share of prompts that reuse the account's most common template skeleton. */
  templateShare: number;
  /** Topic entropy over the lexicon topics, 0 (one topic) … 1 (even over all). */
  topicBreadth: number;
  /** Distinct prompts / prompts: ~1 for fresh questions, low for a benchmark re-run. */
  novelty: number;
  /** Coefficient of variation of in-session gaps: ~1 for people, ≪ 1 for scripts. */
  gapCv: number;
  /** Busiest hour relative to the account's average active hour. */
  burstiness: number;
  /** Share of consecutive requests from a different network (/24 or /48). */
  netChangeRate: number;
  networks: number;
  asns: number;
  /** Days between account creation and its first request in the logs. */
  ageAtFirstUseDays: number;
  /** Requests per day since the account was created. */
  requestsPerDayOfAge: number;
  surgeShare: number;
  activeDays: number;
  /** Share of the logs' 5-minute buckets in which the account was active. */
  bucketShare: number;
}

export const MIN_TOPIC_SAMPLES = 8;
export const MIN_GAPS = 8;
const DAY_MS = 86_400_000;

export interface FeatureContext {
  medianRequests: number;
  /** Number of 5-minute buckets spanned by the logs. */
  buckets: number;
}

export function featureContext(store: AccountStore): FeatureContext {
  const n = store.n.subarray(0, store.count);
  const sorted = new Float64Array(n).sort();
  const medianRequests = sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number) : 1;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < store.count; i++) {
    first = Math.min(first, store.firstTs[i] as number);
    last = Math.max(last, store.lastTs[i] as number);
  }
  return { medianRequests: Math.max(1, medianRequests), buckets: Math.max(1, (last - first) / 300_000) };
}

export function features(s: AccountStore, i: number, ctx: FeatureContext, out: Features = blank()): Features {
  const n = s.n[i] as number;
  const prompts = s.prompts[i] as number;
  out.requests = n;
  out.volumeRatio = n / ctx.medianRequests;
  out.cotShare = prompts ? (s.cot[i] as number) / prompts : NaN;
  const inTok = s.inTokens[i] as number;
  const outTok = s.outTokens[i] as number;
  out.outInRatio = inTok > 0 ? outTok / inTok : NaN;
  const base = i * TEMPLATE_SLOTS;
  const topPrefix = s.prefixCounts[heavyHitterTop(s.prefixCounts, base, TEMPLATE_SLOTS)] as number;
  const topSuffix = s.suffixCounts[heavyHitterTop(s.suffixCounts, base, TEMPLATE_SLOTS)] as number;
  // Misra–Gries counts are lower bounds; for 1-2 prompts there is no template to speak of.
  out.templateShare = prompts >= 3 ? Math.max(topPrefix, topSuffix) / prompts : NaN;
  let tagged = 0;
  for (let t = 0; t < TOPIC_COUNT; t++) tagged += s.topics[i * TOPIC_COUNT + t] as number;
  if (tagged >= MIN_TOPIC_SAMPLES) {
    let h = 0;
    for (let t = 0; t < TOPIC_COUNT; t++) {
      const c = s.topics[i * TOPIC_COUNT + t] as number;
      if (c > 0) {
        const p = c / tagged;
        h -= p * Math.log(p);
      }
    }
    out.topicBreadth = h / Math.log(TOPIC_COUNT);
  } else out.topicBreadth = NaN;
  out.novelty = prompts >= 3 ? Math.min(1, bottomKEstimate(s.promptKmv, i * PROMPT_KMV, PROMPT_KMV) / prompts) : NaN;
  const gaps = s.gapN[i] as number;
  if (gaps >= MIN_GAPS) {
    const mean = s.gapMean[i] as number;
    const sd = Math.sqrt(Math.max(0, (s.gapM2[i] as number) / (gaps - 1)));
    out.gapCv = mean > 0 ? sd / mean : NaN;
  } else out.gapCv = NaN;
  const hours = s.activeHours[i] as number;
  out.burstiness = hours > 0 ? (s.maxHourCount[i] as number) / (n / hours) : NaN;
  out.netChangeRate = n >= 3 ? (s.netChanges[i] as number) / (n - 1) : NaN;
  out.networks = linearCount(popcount32(s.netBits[2 * i] as number) + popcount32(s.netBits[2 * i + 1] as number), 64);
  out.asns = linearCount(popcount32(s.asnBits[i] as number), 32);
  const created = (s.created[i] as number) * DAY_MS;
  const first = s.firstTs[i] as number;
  const last = s.lastTs[i] as number;
  out.ageAtFirstUseDays = Number.isNaN(created) ? NaN : Math.max(0, (first - created) / DAY_MS);
  out.requestsPerDayOfAge = Number.isNaN(created) ? NaN : n / Math.max(1, (last - created) / DAY_MS);
  out.surgeShare = (s.surge[i] as number) / n;
  out.activeDays = (last - first) / DAY_MS;
  out.bucketShare = (s.activeBuckets[i] as number) / ctx.buckets;
  return out;
}

export function blank(): Features {
  return {
    requests: 0, volumeRatio: 0, cotShare: NaN, outInRatio: NaN, templateShare: NaN, topicBreadth: NaN, novelty: NaN, gapCv: NaN,
    burstiness: NaN, netChangeRate: NaN, networks: 0, asns: 0, ageAtFirstUseDays: NaN, requestsPerDayOfAge: NaN, surgeShare: 0, activeDays: 0, bucketShare: 0,
  };
}
