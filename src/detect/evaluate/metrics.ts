/**
 * Scores a suspects list against simulator ground truth. Pure.
 *
 * Account level: a flagged campaign account is a true positive, a flagged
 * benign (or unknown) account a false positive, an unflagged campaign account
 * a false negative.
 *
 * Cluster level: predicted clusters are the flagged accounts grouped by their
 * `cluster` field (accounts without one are singletons). A predicted cluster
 * of two or more accounts is correct when most of its members belong to one
 * campaign (cluster precision). A campaign is recovered when one predicted
 * cluster dominated by it holds at least half of its accounts (cluster
 * recall); a campaign that spans several providers is recovered across
 * providers when that cluster holds accounts from at least two of them.
 */
export interface TruthAccount {
  readonly label: string;
  readonly campaign: boolean;
  readonly provider: string;
}

export interface TruthCampaign {
  readonly id: string;
  readonly type: string;
  readonly stealth: number;
  readonly providers: readonly string[];
  readonly accounts: readonly string[];
}

export interface Truth {
  readonly accounts: ReadonlyMap<string, TruthAccount>;
  readonly campaigns: readonly TruthCampaign[];
  readonly populations: readonly { name: string; heavy: boolean }[];
}

export interface Flagged {
  readonly id: string;
  readonly cluster?: string | undefined;
}

export interface Rates {
  precision: number;
  recall: number;
  f1: number;
}

export interface PopulationRow {
  population: string;
  heavy: boolean;
  accounts: number;
  flagged: number;
  fpr: number;
}

export interface CampaignRow {
  campaign: string;
  type: string;
  stealth: number;
  providers: number;
  accounts: number;
  detected: number;
  recall: number;
  /** Predicted clusters holding this campaign's flagged accounts. */
  clusters: number;
  /** Share of the campaign's accounts in its best cluster. */
  largestShare: number;
  recovered: boolean;
  crossProvider: boolean | null;
}

export interface Evaluation {
  account: Rates & { flagged: number; truePositives: number; falsePositives: number; falseNegatives: number; campaignAccounts: number; unknown: number };
  cluster: Rates & { predicted: number; correct: number; campaigns: number; recovered: number; crossProviderCampaigns: number; crossProviderRecovered: number };
  populations: PopulationRow[];
  campaigns: CampaignRow[];
}

const RECOVERY_SHARE = 0.5;

function f1(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

export function evaluate(truth: Truth, flagged: readonly Flagged[]): Evaluation {
  const seen = new Set<string>();
  let tp = 0;
  let fp = 0;
  let unknown = 0;
  const flaggedByLabel = new Map<string, number>();
  const clusters = new Map<string, string[]>();
  for (const s of flagged) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    const t = truth.accounts.get(s.id);
    if (!t) {
      unknown++;
      fp++;
    } else {
      if (t.campaign) tp++;
      else fp++;
      flaggedByLabel.set(t.label, (flaggedByLabel.get(t.label) ?? 0) + 1);
    }
    const key = s.cluster ?? `single:${s.id}`;
    let members = clusters.get(key);
    if (!members) clusters.set(key, (members = []));
    members.push(s.id);
  }
  let campaignAccounts = 0;
  const populationSize = new Map<string, number>();
  for (const t of truth.accounts.values()) {
    if (t.campaign) campaignAccounts++;
    else populationSize.set(t.label, (populationSize.get(t.label) ?? 0) + 1);
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
  const recall = campaignAccounts > 0 ? tp / campaignAccounts : 1;

  // Majority campaign of each predicted cluster.
  let predicted = 0;
  let correct = 0;
  const best = new Map<string, { size: number; providers: Set<string> }>();
  const clusterCount = new Map<string, number>();
  for (const members of clusters.values()) {
    // Votes per label ('' = benign or unknown); each campaign present counts this cluster once.
    const counts = new Map<string, number>();
    for (const id of members) {
      const t = truth.accounts.get(id);
      const label = t?.campaign ? t.label : '';
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    for (const label of counts.keys()) if (label !== '') clusterCount.set(label, (clusterCount.get(label) ?? 0) + 1);
    let top = '';
    let topCount = 0;
    for (const [label, c] of counts) if (c > topCount) [top, topCount] = [label, c];
    if (members.length >= 2) {
      predicted++;
      if (top !== '' && topCount * 2 > members.length) correct++;
    }
    if (top !== '' && topCount * 2 > members.length) {
      const providers = new Set<string>();
      for (const id of members) {
        const t = truth.accounts.get(id);
        if (t?.label === top) providers.add(t.provider);
      }
      const prev = best.get(top);
      if (!prev || topCount > prev.size) best.set(top, { size: topCount, providers });
    }
  }

  const campaigns: CampaignRow[] = truth.campaigns.map((c) => {
    const detected = c.accounts.filter((id) => seen.has(id)).length;
    const b = best.get(c.id);
    const largestShare = b && c.accounts.length ? b.size / c.accounts.length : 0;
    const recovered = largestShare >= RECOVERY_SHARE;
    return {
      campaign: c.id,
      type: c.type,
      stealth: c.stealth,
      providers: c.providers.length,
      accounts: c.accounts.length,
      detected,
      recall: c.accounts.length ? detected / c.accounts.length : 1,
      clusters: clusterCount.get(c.id) ?? 0,
      largestShare,
      recovered,
      crossProvider: c.providers.length >= 2 ? recovered && (b?.providers.size ?? 0) >= 2 : null,
    };
  });
  const recovered = campaigns.filter((c) => c.recovered).length;
  const cross = campaigns.filter((c) => c.crossProvider !== null);
  const clusterPrecision = predicted > 0 ? correct / predicted : 1;
  const clusterRecall = campaigns.length > 0 ? recovered / campaigns.length : 1;

  const populations: PopulationRow[] = truth.populations.map((p) => {
    const accounts = populationSize.get(p.name) ?? 0;
    const fl = flaggedByLabel.get(p.name) ?? 0;
    return { population: p.name, heavy: p.heavy, accounts, flagged: fl, fpr: accounts ? fl / accounts : 0 };
  });

  return {
    account: { precision, recall, f1: f1(precision, recall), flagged: seen.size, truePositives: tp, falsePositives: fp, falseNegatives: campaignAccounts - tp, campaignAccounts, unknown },
    cluster: {
      precision: clusterPrecision,
      recall: clusterRecall,
      f1: f1(clusterPrecision, clusterRecall),
      predicted,
      correct,
      campaigns: campaigns.length,
      recovered,
      crossProviderCampaigns: cross.length,
      crossProviderRecovered: cross.filter((c) => c.crossProvider).length,
    },
    populations,
    campaigns,
  };
}
