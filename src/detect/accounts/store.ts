import { detach } from '../log/bytes.js';
import { KMV_EMPTY } from '../sketch/sketches.js';
import { TOPIC_COUNT } from '../text/topics.js';

/**
 * Per-account streaming state, column-wise in typed arrays: a fixed number
 * of bytes per account (about 320) whatever its volume, no object per
 * account, and nothing per line. Index i is the i-th account seen.
 */

/** Template skeletons tracked per account (Misra–Gries slots), for prefixes and for suffixes. */
export const TEMPLATE_SLOTS = 3;
/** Bottom-k size for distinct prompts: ±35% at k = 8, plenty to tell "all new" from "the same 200 again". */
export const PROMPT_KMV = 8;
/** Bottom-k size of the active 5-minute buckets: a MinHash signature of when the account is active. */
export const SYNC_KMV = 2;
/**
 * Lines remembered per account by position (file, byte offset): its first
 * line and a reservoir sample of the rest. Suspects' raw identifiers and
 * sample prompts are read back from there at the end, so the stream itself
 * keeps no strings per account.
 */
export const SAMPLE_LINES = 3;
/** A line's position packed in one double: file index × 2^40 + byte offset (files up to 1 TiB). */
export const FILE_STRIDE = 2 ** 40;

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export const DAY_MS = 86_400_000;

export class AccountStore {
  capacity: number;
  count = 0;
  /** Account id (as a byte string, see log/bytes.ts) → index. */
  readonly index = new Map<string, number>();
  ids: string[] = [];

  provider!: Uint8Array;
  n!: Uint32Array;
  prompts!: Uint32Array;
  firstTs!: Float64Array;
  lastTs!: Float64Array;
  /** Account creation, in days since the epoch (NaN = unknown): minutes of precision are plenty for an age. */
  created!: Float32Array;
  /** In-session gaps (seconds): Welford count, mean, M2. */
  gapN!: Uint32Array;
  gapMean!: Float32Array;
  gapM2!: Float32Array;
  sessions!: Uint32Array;
  curHour!: Uint32Array;
  /** Hour counters saturate at 65535, far above anything they need to tell apart. */
  curHourCount!: Uint16Array;
  maxHourCount!: Uint16Array;
  activeHours!: Uint16Array;
  lastBucket!: Uint32Array;
  activeBuckets!: Uint32Array;
  syncKmv!: Uint32Array;
  inTokens!: Float32Array;
  outTokens!: Float32Array;
  cot!: Uint32Array;
  /** Prompts per lexicon topic; all halved when one would pass 255 (shares are what matter). */
  topics!: Uint8Array;
  prefixKeys!: Uint32Array;
  prefixCounts!: Uint32Array;
  suffixKeys!: Uint32Array;
  suffixCounts!: Uint32Array;
  promptKmv!: Uint32Array;
  /** 64-bit bitmap of hashed /24 (/48) networks; 32-bit bitmap of hashed ASNs. */
  netBits!: Uint32Array;
  asnBits!: Uint32Array;
  lastNet!: Int32Array;
  firstNet!: Int32Array;
  netChanges!: Uint32Array;
  surge!: Uint32Array;
  /** Identifier keys (52-bit hashes): two payment methods, two devices, the mailbox, the phone. */
  pay0!: Float64Array;
  pay1!: Float64Array;
  dev0!: Float64Array;
  dev1!: Float64Array;
  mailbox!: Float64Array;
  phone!: Float64Array;
  /** Further distinct payment methods / devices beyond the two kept. */
  extraIds!: Uint16Array;
  /** SAMPLE_LINES packed line positions per account (-1 = none). */
  samples!: Float64Array;

  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.allocate(capacity);
  }

  private allocate(cap: number): void {
    const grow = <T extends Typed>(old: T | undefined, make: (n: number) => T, per = 1, fill?: number): T => {
      const next = make(cap * per);
      if (fill !== undefined) next.fill(fill);
      if (old) next.set(old as never);
      return next;
    };
    this.provider = grow(this.provider, (n) => new Uint8Array(n));
    this.n = grow(this.n, (n) => new Uint32Array(n));
    this.prompts = grow(this.prompts, (n) => new Uint32Array(n));
    this.firstTs = grow(this.firstTs, (n) => new Float64Array(n));
    this.lastTs = grow(this.lastTs, (n) => new Float64Array(n));
    this.created = grow(this.created, (n) => new Float32Array(n));
    this.gapN = grow(this.gapN, (n) => new Uint32Array(n));
    this.gapMean = grow(this.gapMean, (n) => new Float32Array(n));
    this.gapM2 = grow(this.gapM2, (n) => new Float32Array(n));
    this.sessions = grow(this.sessions, (n) => new Uint32Array(n));
    this.curHour = grow(this.curHour, (n) => new Uint32Array(n));
    this.curHourCount = grow(this.curHourCount, (n) => new Uint16Array(n));
    this.maxHourCount = grow(this.maxHourCount, (n) => new Uint16Array(n));
    this.activeHours = grow(this.activeHours, (n) => new Uint16Array(n));
    this.lastBucket = grow(this.lastBucket, (n) => new Uint32Array(n));
    this.activeBuckets = grow(this.activeBuckets, (n) => new Uint32Array(n));
    this.syncKmv = grow(this.syncKmv, (n) => new Uint32Array(n), SYNC_KMV, KMV_EMPTY);
    this.inTokens = grow(this.inTokens, (n) => new Float32Array(n));
    this.outTokens = grow(this.outTokens, (n) => new Float32Array(n));
    this.cot = grow(this.cot, (n) => new Uint32Array(n));
    this.topics = grow(this.topics, (n) => new Uint8Array(n), TOPIC_COUNT);
    this.prefixKeys = grow(this.prefixKeys, (n) => new Uint32Array(n), TEMPLATE_SLOTS);
    this.prefixCounts = grow(this.prefixCounts, (n) => new Uint32Array(n), TEMPLATE_SLOTS);
    this.suffixKeys = grow(this.suffixKeys, (n) => new Uint32Array(n), TEMPLATE_SLOTS);
    this.suffixCounts = grow(this.suffixCounts, (n) => new Uint32Array(n), TEMPLATE_SLOTS);
    this.promptKmv = grow(this.promptKmv, (n) => new Uint32Array(n), PROMPT_KMV, KMV_EMPTY);
    this.netBits = grow(this.netBits, (n) => new Uint32Array(n), 2);
    this.asnBits = grow(this.asnBits, (n) => new Uint32Array(n));
    this.lastNet = grow(this.lastNet, (n) => new Int32Array(n));
    this.firstNet = grow(this.firstNet, (n) => new Int32Array(n));
    this.netChanges = grow(this.netChanges, (n) => new Uint32Array(n));
    this.surge = grow(this.surge, (n) => new Uint32Array(n));
    this.pay0 = grow(this.pay0, (n) => new Float64Array(n));
    this.pay1 = grow(this.pay1, (n) => new Float64Array(n));
    this.dev0 = grow(this.dev0, (n) => new Float64Array(n));
    this.dev1 = grow(this.dev1, (n) => new Float64Array(n));
    this.mailbox = grow(this.mailbox, (n) => new Float64Array(n));
    this.phone = grow(this.phone, (n) => new Float64Array(n));
    this.extraIds = grow(this.extraIds, (n) => new Uint16Array(n));
    this.samples = grow(this.samples, (n) => new Float64Array(n), SAMPLE_LINES, -1);
  }

  /** Index of an account, adding it if new. */
  add(id: string): number {
    if (this.count === this.capacity) {
      this.capacity *= 2;
      this.allocate(this.capacity);
    }
    const i = this.count++;
    const own = detach(id);
    this.index.set(own, i);
    this.ids.push(own);
    return i;
  }
}
