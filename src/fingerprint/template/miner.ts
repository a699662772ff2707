import { createTemplateSigner, LSH_BANDS, type TemplateSigner } from '../../crypto/minhash.js';
import { invalidInput } from '../../errors.js';
import { alignTokens, collapseDropped } from './lcs.js';
import { isPlaceholder, skeleton } from './skeleton.js';

/**
 * Mines recurring prompt templates from a stream of (account, prompt).
 *
 * Each prompt is first reduced to its skeleton, which already collapses
 * delimited payloads (quoted, labelled, tagged, fenced) into one placeholder,
 * so prompts of one template have comparable lengths (the caveat of Drain,
 * whose first split is by token count). The skeleton is then aligned by token
 * LCS with the most similar template. A template is its first skeleton (the
 * representative) plus, per token, the number of prompts whose alignment
 * matched it; its published skeleton is the consensus: the tokens a majority
 * of its prompts share, every other run collapsed into one `<*>`. So an
 * undelimited payload becomes `<*>` after a couple of prompts, while the
 * one-to-three word edits a campaign scatters over its prompts do not erode
 * the template, as they would with Drain's or Spell's merge-on-every-mismatch.
 *
 * Candidates come from an in-memory LSH index over the consensus skeletons
 * (the same MinHash as the federation, under a local key that never leaves
 * the miner), so each prompt is aligned with a handful of templates, not all.
 * Memory is bounded: at most `maxClusters` templates, least recently seen
 * evicted first, each with bounded tokens, accounts and aliases.
 *
 * Pure logic: no I/O, no clock (recency is observation order).
 */

/**
 * A skeleton is shared only once seen from this many distinct accounts: one
 * account is a user's habit, two may be one actor's pair of accounts or a
 * coincidence; three independent accounts reusing a template is the shape of
 * a campaign's tooling, and it keeps any single user's prompt from leaving.
 */
export const DEFAULT_MIN_ACCOUNTS = 3;
/** …and in this many prompts: ten uses make it a template rather than a few accounts sharing one pasted prompt. */
export const DEFAULT_MIN_PROMPTS = 10;
/** Templates kept at once. Each typically costs ~2 KB (≲ 20 KB at the token and alias caps), so the default stays near 20 MB. */
export const DEFAULT_MAX_CLUSTERS = 10_000;
/**
 * A prompt joins a template when the consensus tokens its alignment matches
 * are at least this share of the longer side (consensus or prompt). 1–3
 * edits to a 15-word template keep ≥ 0.8, and an undelimited payload up to
 * 2/3 of the template's length still joins; two templates sharing only a
 * boilerplate opening ("You are a helpful assistant.") stay below.
 */
export const DEFAULT_MERGE_THRESHOLD = 0.5;
/** A representative token stays in the consensus while at least this share of the template's prompts matched it (a majority). */
export const CONSENSUS_SHARE = 0.5;
/**
 * Fewer literal (non-placeholder) tokens than this and a skeleton is too
 * generic to share ("question: <*>" matches much benign traffic).
 */
export const MIN_LITERAL_TOKENS = 4;
/** Tokens of a skeleton the miner considers: bounds the LCS (O(n·m)) per prompt; real templates are far shorter. */
export const MAX_TEMPLATE_TOKENS = 200;
/** Distinct accounts counted per template; the count saturates here (thresholds above it are refused). */
export const MAX_TRACKED_ACCOUNTS = 64;
/** Exact skeletons remembered per template for the O(1) path: most prompts of a template repeat one of a few skeletons. */
const ALIASES_PER_CLUSTER = 8;
/** Skeletons longer than this are not remembered as aliases (bounds memory; they take the LSH path). */
const MAX_ALIAS_CHARS = 512;
/** Key of the miner's private LSH index. Fixed, so mining is deterministic; its digests never leave the process. */
const INDEX_KEY = new Uint8Array(32).fill(0x6d);

export interface MinerOptions {
  readonly minAccounts?: number;
  readonly minPrompts?: number;
  readonly maxClusters?: number;
  readonly mergeThreshold?: number;
}

export interface MinedTemplate {
  readonly id: number;
  /** The consensus skeleton: literal tokens and placeholders, joined by single spaces. */
  readonly skeleton: string;
  /** Distinct accounts seen (saturates at MAX_TRACKED_ACCOUNTS). */
  readonly accounts: number;
  /** Prompts assigned to this template. */
  readonly prompts: number;
  /** Literal (non-placeholder) tokens in the skeleton. */
  readonly literals: number;
  /** Increments whenever the consensus skeleton changes; a published signature must then be re-signed. */
  readonly revision: number;
  readonly shareable: boolean;
}

export interface Observation {
  readonly template: MinedTemplate;
  readonly created: boolean;
  /** The template's skeleton changed with this prompt. */
  readonly changed: boolean;
  /** This prompt made the template shareable. */
  readonly becameShareable: boolean;
}

interface Cluster {
  readonly id: number;
  readonly representative: readonly string[];
  /** Per representative token: prompts whose alignment matched it. */
  readonly support: Uint32Array;
  prompts: number;
  skeleton: string;
  literals: number;
  revision: number;
  readonly accounts: Set<number>;
  readonly aliases: string[];
  /** Which representative tokens are in the consensus, and how many. */
  inConsensus: Uint8Array;
  consensusSize: number;
  /** LSH index keys of the current consensus. */
  bandKeys: number[];
}

interface Alias {
  readonly cluster: Cluster;
  /** The skeleton's alignment with the representative (fixed, so reusable). */
  readonly matched: Uint8Array;
}

/** A 53-bit string hash (cyrb53): accounts are counted, not kept. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** 48 bits of a band digest as a Map key: enough to keep accidental collisions (which only cost one alignment) rare. */
const bandKey = (d: Uint8Array): number => d[0]! + d[1]! * 0x100 + d[2]! * 0x10000 + d[3]! * 0x1000000 + d[4]! * 0x100000000 + d[5]! * 0x10000000000;

const countLiterals = (tokens: readonly string[]): number => tokens.reduce((n, t) => (isPlaceholder(t) ? n : n + 1), 0);

const tokenize = (skel: string): string[] => (skel === '' ? [] : skel.split(' ').slice(0, MAX_TEMPLATE_TOKENS));

function positiveInt(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalidInput('template miner', `${name} must be an integer in 1..${max}, got ${value}`);
  return value;
}

export class TemplateMiner {
  readonly minAccounts: number;
  readonly minPrompts: number;
  readonly maxClusters: number;
  readonly mergeThreshold: number;
  /** Clusters in recency order: the first is the least recently seen. */
  private readonly clusters = new Map<number, Cluster>();
  private readonly index = new Map<number, Set<Cluster>>();
  private readonly aliases = new Map<string, Alias>();
  private readonly signer: TemplateSigner = createTemplateSigner(INDEX_KEY);
  private nextId = 1;

  constructor(options: MinerOptions = {}) {
    this.minAccounts = positiveInt('minAccounts', options.minAccounts ?? DEFAULT_MIN_ACCOUNTS, MAX_TRACKED_ACCOUNTS);
    this.minPrompts = positiveInt('minPrompts', options.minPrompts ?? DEFAULT_MIN_PROMPTS);
    this.maxClusters = positiveInt('maxClusters', options.maxClusters ?? DEFAULT_MAX_CLUSTERS);
    this.mergeThreshold = options.mergeThreshold ?? DEFAULT_MERGE_THRESHOLD;
    if (!(this.mergeThreshold > 0 && this.mergeThreshold <= 1)) throw invalidInput('template miner', `mergeThreshold must be in (0, 1], got ${this.mergeThreshold}`);
  }

  /** Templates currently kept. */
  get size(): number {
    return this.clusters.size;
  }

  /** Skeletonises a prompt and assigns it to a template. */
  observe(accountId: string, prompt: string): Observation {
    return this.observeSkeleton(accountId, skeleton(prompt));
  }

  /** Assigns an already skeletonised prompt to a template. */
  observeSkeleton(accountId: string, skel: string): Observation {
    let cluster: Cluster;
    let matched: Uint8Array;
    let created = false;
    const alias = this.aliases.get(skel);
    if (alias) {
      ({ cluster, matched } = alias);
    } else {
      const tokens = tokenize(skel);
      const best = this.bestCandidate(skel, tokens);
      if (best) {
        ({ cluster, matched } = best);
      } else {
        cluster = this.create(tokens);
        matched = new Uint8Array(tokens.length).fill(1);
        created = true;
      }
      if (skel.length <= MAX_ALIAS_CHARS) this.remember(skel, { cluster, matched });
    }
    const before = this.isShareable(cluster);
    this.touch(cluster);
    cluster.prompts++;
    for (let i = 0; i < matched.length; i++) cluster.support[i]! += matched[i]!;
    if (cluster.accounts.size < MAX_TRACKED_ACCOUNTS) cluster.accounts.add(hash53(accountId));
    const changed = this.refreshConsensus(cluster) && !created;
    const template = this.view(cluster);
    return { template, created, changed, becameShareable: template.shareable && !before };
  }

  /** All templates kept, least recently seen first. */
  templates(): MinedTemplate[] {
    return [...this.clusters.values()].map((c) => this.view(c));
  }

  /** Templates that meet the sharing thresholds. */
  shareable(): MinedTemplate[] {
    return [...this.clusters.values()].filter((c) => this.isShareable(c)).map((c) => this.view(c));
  }

  private isShareable(c: Cluster): boolean {
    return c.accounts.size >= this.minAccounts && c.prompts >= this.minPrompts && c.literals >= MIN_LITERAL_TOKENS;
  }

  private view(c: Cluster): MinedTemplate {
    return { id: c.id, skeleton: c.skeleton, accounts: c.accounts.size, prompts: c.prompts, literals: c.literals, revision: c.revision, shareable: this.isShareable(c) };
  }

  /** The template whose consensus the skeleton matches best, if at least mergeThreshold. */
  private bestCandidate(skel: string, tokens: readonly string[]): { cluster: Cluster; matched: Uint8Array } | undefined {
    if (tokens.length === 0) return undefined;
    const { bands } = this.signer.sign(skel);
    let best: { cluster: Cluster; matched: Uint8Array } | undefined;
    let bestScore = 0;
    const seen = new Set<Cluster>();
    for (const band of bands) {
      for (const c of this.index.get(bandKey(band)) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        const { matched } = alignTokens(c.representative, tokens);
        let common = 0;
        for (let i = 0; i < matched.length; i++) common += matched[i]! & c.inConsensus[i]!;
        // Against the longer side, so a short template cannot swallow long prompts.
        const score = common / Math.max(c.consensusSize, tokens.length);
        if (score > bestScore) {
          best = { cluster: c, matched };
          bestScore = score;
        }
      }
    }
    return best && bestScore >= this.mergeThreshold ? best : undefined;
  }

  /** Recomputes the consensus skeleton; re-files the template in the index when it changed. */
  private refreshConsensus(c: Cluster): boolean {
    c.consensusSize = 0;
    for (let i = 0; i < c.representative.length; i++) {
      c.inConsensus[i] = c.support[i]! >= CONSENSUS_SHARE * c.prompts ? 1 : 0;
      c.consensusSize += c.inConsensus[i]!;
    }
    const consensus = collapseDropped(c.representative, (i) => c.inConsensus[i] === 1);
    const text = consensus.join(' ');
    if (text === c.skeleton) return false;
    this.unfile(c);
    c.skeleton = text;
    c.literals = countLiterals(consensus);
    c.revision++;
    this.file(c);
    return true;
  }

  private file(c: Cluster): void {
    c.bandKeys = this.signer.sign(c.skeleton).bands.map(bandKey);
    for (const key of c.bandKeys) {
      let set = this.index.get(key);
      if (!set) this.index.set(key, (set = new Set()));
      set.add(c);
    }
  }

  private unfile(c: Cluster): void {
    for (const key of c.bandKeys) {
      const set = this.index.get(key);
      set?.delete(c);
      if (set?.size === 0) this.index.delete(key);
    }
    c.bandKeys = [];
  }

  private create(tokens: string[]): Cluster {
    while (this.clusters.size >= this.maxClusters) this.evictOldest();
    const c: Cluster = {
      id: this.nextId++,
      representative: tokens,
      support: new Uint32Array(tokens.length),
      inConsensus: new Uint8Array(tokens.length),
      consensusSize: 0,
      prompts: 0,
      // Unset until the first refresh files it (revision 0 then).
      skeleton: '\u0000',
      literals: 0,
      revision: -1,
      accounts: new Set(),
      aliases: [],
      bandKeys: [],
    };
    this.clusters.set(c.id, c);
    return c;
  }

  private remember(skel: string, alias: Alias): void {
    const c = alias.cluster;
    if (c.aliases.length >= ALIASES_PER_CLUSTER) {
      const dropped = c.aliases.shift()!;
      if (this.aliases.get(dropped)?.cluster === c) this.aliases.delete(dropped);
    }
    this.aliases.set(skel, alias);
    c.aliases.push(skel);
  }

  /** Marks a template most recently seen (Map order is insertion order). */
  private touch(c: Cluster): void {
    this.clusters.delete(c.id);
    this.clusters.set(c.id, c);
  }

  private evictOldest(): void {
    const oldest = this.clusters.values().next().value as Cluster | undefined;
    if (!oldest) return;
    this.clusters.delete(oldest.id);
    this.unfile(oldest);
    for (const a of oldest.aliases) if (this.aliases.get(a)?.cluster === oldest) this.aliases.delete(a);
  }
}

/** One prompt of the stream the miner consumes. */
export interface PromptEvent {
  readonly accountId: string;
  readonly prompt: string;
}

/**
 * Mines a stream and yields a template each time it becomes shareable, and
 * again whenever a shareable template's skeleton changes (its signature must
 * then be re-published).
 */
export async function* mineTemplates(stream: Iterable<PromptEvent> | AsyncIterable<PromptEvent>, options: MinerOptions = {}): AsyncGenerator<MinedTemplate> {
  const miner = new TemplateMiner(options);
  for await (const { accountId, prompt } of stream) {
    const { template, becameShareable, changed } = miner.observe(accountId, prompt);
    if (becameShareable || (changed && template.shareable)) yield template;
  }
}
