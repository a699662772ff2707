import { Observer } from './accounts/observe.js';
import { AccountStore, SAMPLE_LINES } from './accounts/store.js';
import { CLUSTER_MODEL, poolCluster, type ClusterFeatures } from './cluster/pool.js';
import { LINK_KINDS, linkAccounts, type LinkKind, type Links } from './cluster/link.js';
import { blank, featureContext, features, type FeatureContext } from './features.js';
import { toText } from './log/bytes.js';
import type { LogRecord } from './log/record.js';
import { ACCOUNT_MODEL, explain, score, type Scored } from './scoring.js';

/**
 * The detector as a pure state machine: feed it records, then ask for
 * verdicts. No I/O — run.ts reads files and writes suspects around it.
 */
export const DEFAULT_THRESHOLD = 0.5;
/** Accounts scoring at least this on their own may take weak links (shared network, template, timing). */
export const LINK_GATE = 0.2;

export interface Verdict {
  readonly index: number;
  readonly id: string;
  readonly score: number;
  readonly accountScore: number;
  readonly clusterScore: number | undefined;
  readonly cluster: string | undefined;
  readonly clusterSize: number;
  readonly codes: string[];
  readonly reasons: string[];
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Packed positions of sampled log lines (see AccountStore.samples). */
  readonly samples: number[];
}

export interface ClusterVerdict {
  readonly id: string;
  readonly score: number;
  readonly size: number;
  readonly flagged: number;
  readonly providers: number;
  readonly codes: string[];
}

/** What a detection found. Verdicts (with their reasons) are built on demand, a batch at a time: a million-account run may flag tens of thousands. */
export interface Detection {
  readonly accounts: number;
  /** Indices of the accounts at or above the threshold, highest score first. */
  readonly flagged: Int32Array;
  /** Clusters with at least one flagged account. */
  readonly clusters: ClusterVerdict[];
  readonly releases: Map<string, number>;
  readonly unions: Record<LinkKind, number>;
  /** Account id (a byte string, see log/bytes.ts) and cluster id of an account. */
  id(index: number): string;
  cluster(index: number): string | undefined;
  /** Packed positions of an account's sampled log lines (see AccountStore.samples). */
  samples(index: number): number[];
  /** The full verdict on an account: scores, reasons, sampled line positions. */
  verdict(index: number): Verdict;
}

export interface DetectorOptions {
  readonly threshold?: number;
  /** Known model release times; otherwise inferred from when a model first appears mid-log. */
  readonly releases?: ReadonlyMap<string, number>;
}

const SHARED_REASON_KINDS = ['payment', 'device', 'mailbox', 'phone'] as const satisfies readonly LinkKind[];

export class Detector {
  readonly store = new AccountStore();
  private readonly observer: Observer;
  private readonly threshold: number;

  constructor(options: DetectorOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    this.observer = new Observer(this.store, options.releases);
  }

  beginFile(index: number): void {
    this.observer.beginFile(index);
  }

  /** `offset`: where the record's line starts in the current file (for reading samples back). */
  observe(rec: LogRecord, offset = -1): void {
    this.observer.observe(rec, offset);
  }

  finish(): Detection {
    const store = this.store;
    const ctx = featureContext(store);
    const { accountScore, gated } = this.scoreAccounts(ctx);
    const links = linkAccounts(store, gated, ctx.buckets);
    const clusters = this.scoreClusters(ctx, links);
    // An account is as suspect as the more suspect of itself and its cluster.
    const finalScore = accountScore.slice();
    for (const c of clusters.list) for (const i of c.members) if ((finalScore[i] as number) < c.scored.score) finalScore[i] = c.scored.score;

    const chosen: number[] = [];
    for (let i = 0; i < store.count; i++) if ((finalScore[i] as number) >= this.threshold) chosen.push(i);
    chosen.sort((a, b) => (finalScore[b] as number) - (finalScore[a] as number) || a - b);
    const flagged = Int32Array.from(chosen);
    return {
      accounts: store.count,
      flagged,
      clusters: clusterVerdicts(flagged, clusters),
      releases: this.observer.releases(),
      unions: links.unions,
      id: (i) => store.ids[i] as string,
      cluster: (i) => clusters.list[clusters.of[i] as number]?.id,
      samples: (i) => samplesOf(store, i),
      verdict: (i) => this.verdict(i, finalScore[i] as number, ctx, links, clusters),
    };
  }

  /** Every account on its own; those at LINK_GATE or above may take weak links. */
  private scoreAccounts(ctx: FeatureContext): { accountScore: Float32Array; gated: Uint8Array } {
    const n = this.store.count;
    const accountScore = new Float32Array(n);
    const gated = new Uint8Array(n);
    const f = blank();
    const scratch: Scored = { score: 0, contributions: new Float64Array(ACCOUNT_MODEL.signals.length) };
    for (let i = 0; i < n; i++) {
      const s = score(ACCOUNT_MODEL, features(this.store, i, ctx, f), scratch).score;
      accountScore[i] = s;
      if (s >= LINK_GATE) gated[i] = 1;
    }
    return { accountScore, gated };
  }

  /** Every group of two or more linked accounts, pooled and scored as one actor. */
  private scoreClusters(ctx: FeatureContext, links: Links): Clusters {
    const store = this.store;
    const groups = new Map<number, number[]>();
    for (let i = 0; i < store.count; i++) {
      if (links.uf.sizeOf(i) < 2) continue;
      const root = links.uf.find(i);
      let g = groups.get(root);
      if (!g) groups.set(root, (g = []));
      g.push(i);
    }
    const f = blank();
    const list: Cluster[] = [];
    const of = new Int32Array(store.count).fill(-1);
    for (const members of groups.values()) {
      const cf = poolCluster(store, members, (i) => features(store, i, ctx, f), links.shared, ctx.medianRequests);
      // Named after its smallest member id: stable from run to run.
      let id = store.ids[members[0] as number] as string;
      for (const i of members) {
        of[i] = list.length;
        if ((store.ids[i] as string) < id) id = store.ids[i] as string;
      }
      list.push({ members, features: cf, scored: score(CLUSTER_MODEL, cf), id: `cl-${id}` });
    }
    return { list, of };
  }

  /** A flagged account with its reasons (real text; its id and cluster id stay byte strings): its own, its cluster's if that is what flagged it, and what it shares. */
  private verdict(i: number, finalScore: number, ctx: FeatureContext, links: Links, clusters: Clusters): Verdict {
    const store = this.store;
    const fi = features(store, i, ctx);
    const own = score(ACCOUNT_MODEL, fi);
    const mine = explain(ACCOUNT_MODEL, fi, own.contributions);
    const c = clusters.of[i] as number;
    const info = c >= 0 ? clusters.list[c] : undefined;
    const codes = new Set(mine.codes);
    const reasons = [...mine.reasons];
    if (info && info.scored.score > own.score) {
      const theirs = explainCluster(info);
      theirs.codes.forEach((code) => codes.add(code));
      reasons.unshift(`flagged with its cluster ${toText(info.id)} of ${info.members.length} accounts (cluster score ${info.scored.score.toFixed(2)}, own score ${own.score.toFixed(2)})`);
      reasons.push(...theirs.reasons);
    }
    for (const kind of SHARED_REASON_KINDS) {
      const count = links.shared[i * LINK_KINDS.length + LINK_KINDS.indexOf(kind)] as number;
      if (count >= 2) {
        codes.add(`shared_${kind}`);
        reasons.push(`shares its ${SHARED_NAMES[kind]} with ${count - 1} other account${count > 2 ? 's' : ''}`);
      }
    }
    return {
      index: i,
      id: store.ids[i] as string,
      score: finalScore,
      accountScore: own.score,
      clusterScore: info?.scored.score,
      cluster: info?.id,
      clusterSize: info?.members.length ?? 1,
      codes: [...codes],
      reasons,
      firstSeen: store.firstTs[i] as number,
      lastSeen: store.lastTs[i] as number,
      samples: samplesOf(store, i),
    };
  }
}

interface Cluster {
  members: number[];
  features: ClusterFeatures;
  scored: Scored;
  id: string;
  /** Its explanation, computed once and shared by its members. */
  why?: { codes: string[]; reasons: string[] };
}

interface Clusters {
  list: Cluster[];
  /** Cluster index per account, -1 for none. */
  of: Int32Array;
}

function samplesOf(store: AccountStore, i: number): number[] {
  return Array.from(store.samples.subarray(i * SAMPLE_LINES, (i + 1) * SAMPLE_LINES)).filter((p) => p >= 0);
}

function explainCluster(c: Cluster): { codes: string[]; reasons: string[] } {
  return (c.why ??= explain(CLUSTER_MODEL, c.features, c.scored.contributions));
}

const SHARED_NAMES: Record<(typeof SHARED_REASON_KINDS)[number], string> = {
  payment: 'payment method',
  device: 'device',
  mailbox: 'mailbox (after alias normalisation)',
  phone: 'phone',
};

/** The clusters that hold at least one flagged account. */
function clusterVerdicts(flagged: Int32Array, clusters: Clusters): ClusterVerdict[] {
  const counts = new Map<number, number>();
  for (const i of flagged) {
    const c = clusters.of[i] as number;
    if (c >= 0) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const out: ClusterVerdict[] = [];
  for (const [c, count] of counts) {
    const info = clusters.list[c] as Cluster;
    out.push({ id: info.id, score: info.scored.score, size: info.members.length, flagged: count, providers: info.features.providers, codes: explainCluster(info).codes });
  }
  return out.sort((a, b) => b.score - a.score || b.size - a.size);
}
