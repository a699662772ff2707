import { PROMPT_KMV, SYNC_KMV, TEMPLATE_SLOTS, type AccountStore } from '../accounts/store.js';
import { blank, type Features } from '../features.js';
import { bottomKEstimate, heavyHitterTop } from '../sketch/sketches.js';
import { TOPIC_COUNT } from '../text/topics.js';
import { ACCOUNT_MODEL, ACCOUNT_SIGNALS, ramp, type Model, type Signal } from '../scoring.js';
import { LINK_KINDS, SYNC_MAX_BUCKET_SHARE } from './link.js';

/**
 * A cluster judged as one actor: its members' traffic pooled (ratios of sums),
 * how its members operate averaged (the share that rotate proxies, that are
 * new…) so that a campaign spread thin over many quiet
 * accounts shows the same shape as one busy account would — plus what only a
 * group has: its size, its reach across providers, its synchronised timing.
 */
export interface ClusterFeatures {
  pooled: Features;
  /** Mean over members of each account signal's evidence (in ACCOUNT_SIGNALS order). */
  memberEvidence: Float64Array;
  size: number;
  providers: number;
  /**
   * Share of members whose earliest-hashing active 5-minute bucket (a MinHash
   * of when they are active) is also another member's: accounts firing in
   * the same coordinated waves share it far more often than accounts that
   * merely use the service at random times.
   */
  syncShare: number;
  /** Share of members sharing a payment method, device, mailbox or phone with another member. */
  identityShare: number;
}

/** `memberFeatures` may reuse one object: each result is read before the next call. */
export function poolCluster(store: AccountStore, members: readonly number[], memberFeatures: (i: number) => Features, shared: Uint16Array, medianRequests: number): ClusterFeatures {
  let n = 0;
  let prompts = 0;
  let cot = 0;
  let inTok = 0;
  let outTok = 0;
  let template = 0;
  let distinct = 0;
  let netChanges = 0;
  let pairs = 0;
  let surge = 0;
  const topics = new Float64Array(TOPIC_COUNT);
  const providers = new Set<number>();
  let sync = 0;
  let identity = 0;
  // Per-account rates pool by their median: robust to a few unusual members, and "most
  // accounts were days old" is what matters, not an average diluted by a few aged ones.
  const rates = { gapCv: [] as number[], burstiness: [] as number[], networks: [] as number[], asns: [] as number[], age: [] as number[], perDay: [] as number[], bucketShare: [] as number[] };
  const add = (list: number[], x: number): void => {
    if (Number.isFinite(x)) list.push(x);
  };
  let activeDays = 0;
  const memberEvidence = new Float64Array(ACCOUNT_SIGNALS.length);
  const firstBucket = new Map<number, number>();
  const eligible: number[] = [];
  for (const i of members) {
    const f = memberFeatures(i);
    const ni = store.n[i] as number;
    const pi = store.prompts[i] as number;
    n += ni;
    prompts += pi;
    cot += store.cot[i] as number;
    inTok += store.inTokens[i] as number;
    outTok += store.outTokens[i] as number;
    const base = i * TEMPLATE_SLOTS;
    template += Math.max(store.prefixCounts[heavyHitterTop(store.prefixCounts, base, TEMPLATE_SLOTS)] as number, store.suffixCounts[heavyHitterTop(store.suffixCounts, base, TEMPLATE_SLOTS)] as number);
    distinct += Math.min(pi, bottomKEstimate(store.promptKmv, i * PROMPT_KMV, PROMPT_KMV));
    netChanges += store.netChanges[i] as number;
    pairs += Math.max(0, ni - 1);
    surge += store.surge[i] as number;
    for (let t = 0; t < TOPIC_COUNT; t++) topics[t] = (topics[t] as number) + (store.topics[i * TOPIC_COUNT + t] as number);
    providers.add(store.provider[i] as number);
    // Always-on accounts are active in almost every bucket and would match anyone: skip them.
    if ((store.activeBuckets[i] as number) >= 2 && f.bucketShare <= SYNC_MAX_BUCKET_SHARE) {
      const b = store.syncKmv[i * SYNC_KMV] as number;
      firstBucket.set(b, (firstBucket.get(b) ?? 0) + 1);
      eligible.push(b);
    }
    const at = i * LINK_KINDS.length;
    // The first four link kinds are the identity ones (payment, device, mailbox, phone).
    if ((shared[at] as number) + (shared[at + 1] as number) + (shared[at + 2] as number) + (shared[at + 3] as number) > 0) identity++;
    add(rates.gapCv, f.gapCv);
    add(rates.burstiness, f.burstiness);
    add(rates.networks, f.networks);
    add(rates.asns, f.asns);
    add(rates.age, f.ageAtFirstUseDays);
    add(rates.perDay, f.requestsPerDayOfAge);
    add(rates.bucketShare, f.bucketShare);
    activeDays = Math.max(activeDays, f.activeDays);
    for (let k = 0; k < ACCOUNT_SIGNALS.length; k++) memberEvidence[k] = (memberEvidence[k] as number) + (ACCOUNT_SIGNALS[k] as Signal<Features>).evidence(f) / members.length;
  }
  for (const b of eligible) if ((firstBucket.get(b) as number) >= 2) sync++;
  const median = (list: number[]): number => {
    if (list.length === 0) return NaN;
    list.sort((a, b) => a - b);
    const mid = list.length >> 1;
    return list.length % 2 ? (list[mid] as number) : ((list[mid - 1] as number) + (list[mid] as number)) / 2;
  };
  let tagged = 0;
  for (const c of topics) tagged += c;
  let h = 0;
  for (const c of topics) if (c > 0) h -= (c / tagged) * Math.log(c / tagged);
  const pooled = blank();
  pooled.requests = n;
  pooled.volumeRatio = n / medianRequests;
  pooled.cotShare = prompts ? cot / prompts : NaN;
  pooled.outInRatio = inTok > 0 ? outTok / inTok : NaN;
  pooled.templateShare = prompts >= 3 ? template / prompts : NaN;
  pooled.topicBreadth = tagged >= 8 ? h / Math.log(TOPIC_COUNT) : NaN;
  pooled.novelty = prompts >= 3 ? Math.min(1, distinct / prompts) : NaN;
  pooled.gapCv = median(rates.gapCv);
  pooled.burstiness = median(rates.burstiness);
  pooled.netChangeRate = pairs > 0 ? netChanges / pairs : NaN;
  pooled.networks = median(rates.networks);
  pooled.asns = median(rates.asns);
  pooled.ageAtFirstUseDays = median(rates.age);
  pooled.requestsPerDayOfAge = median(rates.perDay);
  pooled.surgeShare = n ? surge / n : 0;
  pooled.activeDays = activeDays;
  pooled.bucketShare = median(rates.bucketShare);
  return { pooled, memberEvidence, size: members.length, providers: providers.size, syncShare: sync / members.length, identityShare: identity / members.length };
}

/** The account signals applied to the pooled traffic, and the signals only a group has. */
export const CLUSTER_SIGNALS: readonly Signal<ClusterFeatures>[] = [
  ...ACCOUNT_SIGNALS.map((s, k): Signal<ClusterFeatures> => {
    const { perAccount } = s;
    if (perAccount === undefined) return { code: s.code, evidence: (c) => s.evidence(c.pooled), explain: (c) => `cluster: ${s.explain(c.pooled)}` };
    // How accounts operate does not add up across accounts; what share of them do it does.
    return { code: s.code, evidence: (c) => c.memberEvidence[k] as number, explain: (c) => `cluster: ${Math.round((c.memberEvidence[k] as number) * 100)}% of its accounts (by weight of evidence) ${perAccount}` };
  }),
  {
    code: 'many_accounts',
    // On a log scale: 3 accounts is a household, 10 a company, 64 and more an operation.
    evidence: (c) => ramp(Math.log2(c.size), Math.log2(3), Math.log2(64)),
    explain: (c) => `one of ${c.size} linked accounts (${Math.round(c.identityShare * 100)}% share a payment method, device, mailbox or phone)`,
  },
  {
    code: 'synchronized_timing',
    evidence: (c) => ramp(c.syncShare, 0.2, 0.6),
    explain: (c) => `${Math.round(c.syncShare * 100)}% of the cluster's accounts are active in the same 5-minute windows`,
  },
  {
    code: 'cross_provider',
    evidence: (c) => (c.providers >= 2 ? 1 : 0),
    explain: (c) => `the cluster spans ${c.providers} providers' logs`,
  },
];

/**
 * The cluster model: the account weights on pooled traffic, plus the group
 * signals. Its bias is the account bias: a cluster needs the same weight of
 * evidence as an account, it can just gather it from more places.
 */
export const CLUSTER_MODEL: Model<ClusterFeatures> = {
  signals: CLUSTER_SIGNALS,
  bias: ACCOUNT_MODEL.bias,
  weights: {
    ...ACCOUNT_MODEL.weights,
    many_accounts: 4.0,
    synchronized_timing: 1.5,
    cross_provider: 0.75,
  },
};
