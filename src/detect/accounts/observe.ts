import { detach } from '../log/bytes.js';
import type { LogRecord } from '../log/record.js';
import { hashString, hashInt } from '../sketch/hash.js';
import { bottomKAdd, heavyHitterAdd } from '../sketch/sketches.js';
import { elicitsReasoning } from '../text/cot.js';
import { scanPrompt, type PromptScan } from '../text/scan.js';
import { TOPIC_COUNT } from '../text/topics.js';
import { emailKey, networkKey, valueKey } from './identity.js';
import { DAY_MS, FILE_STRIDE, PROMPT_KMV, SAMPLE_LINES, SYNC_KMV, TEMPLATE_SLOTS, type AccountStore } from './store.js';

/**
 * Folds one log line into its account's sketches. Everything here is O(1)
 * per line and allocation-free apart from the first line of a new account.
 */

/** A pause longer than this starts a new session; gaps inside sessions measure regularity. */
export const SESSION_GAP_MS = 30 * 60_000;
/** Granularity of "active at the same time": requests of one coordinated wave land in one bucket. */
export const SYNC_BUCKET_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
/** A model first seen this long after a file starts is a new release, not one that was always there. */
export const RELEASE_MIN_OFFSET_MS = 24 * HOUR_MS;
/** Requests this soon after a release count towards a post-release surge. */
export const SURGE_WINDOW_MS = 72 * HOUR_MS;

interface ModelState {
  first: number;
  release: number; // NaN when the model was there from the start
}

export class Observer {
  private readonly scan: PromptScan = { content: 0, prefix: 0, suffix: 0, topic: -1 };
  private readonly models = new Map<string, ModelState>();
  private readonly providers = new Map<string, number>();
  private fileStart = NaN;
  private fileBase = 0;
  /** xorshift32 state for reservoir sampling: deterministic, so runs are reproducible. */
  private random = 0x2545f491;

  constructor(
    readonly store: AccountStore,
    releases: ReadonlyMap<string, number> = new Map(),
  ) {
    for (const [model, at] of releases) this.models.set(model, { first: at, release: at });
  }

  /** Call at the start of each input file (numbered from 0): release inference is relative to where a log begins. */
  beginFile(index: number): void {
    this.fileStart = NaN;
    this.fileBase = index * FILE_STRIDE;
  }

  providerNames(): string[] {
    return [...this.providers.keys()];
  }

  /** Folds in one record; `offset` is where its line starts in the current file. */
  observe(rec: LogRecord, offset = -1): void {
    const s = this.store;
    const t = rec.ts;
    if (Number.isNaN(this.fileStart)) this.fileStart = t;
    let i = s.index.get(rec.account);
    if (i === undefined) {
      i = s.add(rec.account);
      s.provider[i] = this.providerIndex(rec.provider);
      s.created[i] = rec.created / DAY_MS;
      s.firstTs[i] = t;
      s.lastTs[i] = t;
      s.sessions[i] = 1;
    }
    const n = (s.n[i] as number) + 1;
    s.n[i] = n;
    if (offset >= 0) this.sample(i, n, this.fileBase + offset);

    if (n > 1) {
      const gap = t - (s.lastTs[i] as number);
      if (gap >= 0) {
        s.lastTs[i] = t;
        if (gap > SESSION_GAP_MS) s.sessions[i] = (s.sessions[i] as number) + 1;
        else {
          // Welford's running mean and variance of in-session gaps, in seconds.
          const x = gap / 1000;
          const k = (s.gapN[i] as number) + 1;
          s.gapN[i] = k;
          const mean = s.gapMean[i] as number;
          const d = x - mean;
          const nextMean = mean + d / k;
          s.gapMean[i] = nextMean;
          s.gapM2[i] = (s.gapM2[i] as number) + d * (x - nextMean);
        }
      } else if (t < (s.firstTs[i] as number)) {
        // Out-of-order line: keep the span right; gap statistics assume order and skip it.
        s.firstTs[i] = t;
      }
    }

    const hour = Math.floor(t / HOUR_MS);
    if (hour !== s.curHour[i] || n === 1) {
      s.curHour[i] = hour;
      s.curHourCount[i] = 1;
      s.activeHours[i] = Math.min(0xffff, (s.activeHours[i] as number) + 1);
      if (n === 1) s.maxHourCount[i] = 1;
    } else {
      const c = Math.min(0xffff, (s.curHourCount[i] as number) + 1);
      s.curHourCount[i] = c;
      if (c > (s.maxHourCount[i] as number)) s.maxHourCount[i] = c;
    }
    const bucket = Math.floor(t / SYNC_BUCKET_MS);
    if (bucket !== s.lastBucket[i] || n === 1) {
      s.lastBucket[i] = bucket;
      s.activeBuckets[i] = (s.activeBuckets[i] as number) + 1;
      bottomKAdd(s.syncKmv, i * SYNC_KMV, SYNC_KMV, hashInt(bucket, 0x5e1f));
    }

    s.inTokens[i] = (s.inTokens[i] as number) + rec.in_tokens;
    s.outTokens[i] = (s.outTokens[i] as number) + rec.out_tokens;

    const prompt = rec.prompt;
    if (prompt) {
      s.prompts[i] = (s.prompts[i] as number) + 1;
      const scan = scanPrompt(prompt, this.scan);
      if (elicitsReasoning(prompt)) s.cot[i] = (s.cot[i] as number) + 1;
      if (scan.topic >= 0) {
        const at = i * TOPIC_COUNT + scan.topic;
        const c = (s.topics[at] as number) + 1;
        if (c > 0xff) {
          // Halve every topic count rather than overflow: shares are what matter.
          for (let j = i * TOPIC_COUNT; j < (i + 1) * TOPIC_COUNT; j++) s.topics[j] = (s.topics[j] as number) >>> 1;
          s.topics[at] = (s.topics[at] as number) + 1;
        } else s.topics[at] = c;
      }
      heavyHitterAdd(s.prefixKeys, s.prefixCounts, i * TEMPLATE_SLOTS, TEMPLATE_SLOTS, scan.prefix);
      heavyHitterAdd(s.suffixKeys, s.suffixCounts, i * TEMPLATE_SLOTS, TEMPLATE_SLOTS, scan.suffix);
      bottomKAdd(s.promptKmv, i * PROMPT_KMV, PROMPT_KMV, scan.content);
    }

    if (rec.ip) {
      const net = networkKey(rec.ip);
      if (n > 1 && net !== s.lastNet[i]) s.netChanges[i] = (s.netChanges[i] as number) + 1;
      if (s.firstNet[i] === 0) s.firstNet[i] = net;
      s.lastNet[i] = net;
      const bit = net & 63;
      const word = i * 2 + (bit >> 5);
      s.netBits[word] = (s.netBits[word] as number) | (1 << (bit & 31));
    }
    if (rec.asn) s.asnBits[i] = (s.asnBits[i] as number) | (1 << (hashString(rec.asn) & 31));

    if (rec.payment) {
      const k = valueKey(rec.payment);
      if (s.pay0[i] === 0) s.pay0[i] = k;
      else if (s.pay0[i] !== k) {
        if (s.pay1[i] === 0) s.pay1[i] = k;
        else if (s.pay1[i] !== k) s.extraIds[i] = Math.min(0xffff, (s.extraIds[i] as number) + 1);
      }
    }
    if (rec.device) {
      const k = valueKey(rec.device);
      if (s.dev0[i] === 0) s.dev0[i] = k;
      else if (s.dev0[i] !== k) {
        if (s.dev1[i] === 0) s.dev1[i] = k;
        else if (s.dev1[i] !== k) s.extraIds[i] = Math.min(0xffff, (s.extraIds[i] as number) + 1);
      }
    }
    if (rec.email && s.mailbox[i] === 0) s.mailbox[i] = emailKey(rec.email);
    if (rec.phone && s.phone[i] === 0) s.phone[i] = valueKey(rec.phone);

    if (rec.model) {
      let m = this.models.get(rec.model);
      if (m === undefined) {
        m = { first: t, release: t - this.fileStart >= RELEASE_MIN_OFFSET_MS ? t : NaN };
        this.models.set(detach(rec.model), m);
      }
      if (t >= m.release && t - m.release < SURGE_WINDOW_MS) s.surge[i] = (s.surge[i] as number) + 1;
    }
  }

  /** Keeps the first line, and a uniform reservoir sample of the account's later lines. */
  private sample(i: number, n: number, position: number): void {
    const base = i * SAMPLE_LINES;
    if (n <= SAMPLE_LINES) {
      this.store.samples[base + n - 1] = position;
      return;
    }
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    const j = (x >>> 0) % (n - 1);
    if (j < SAMPLE_LINES - 1) this.store.samples[base + 1 + j] = position;
  }

  private providerIndex(name: string): number {
    let p = this.providers.get(name);
    if (p === undefined) {
      p = Math.min(255, this.providers.size);
      this.providers.set(detach(name), p);
    }
    return p;
  }

  /** Models inferred (or declared) as released during the logs, with their release times. */
  releases(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [model, m] of this.models) if (!Number.isNaN(m.release)) out.set(model, m.release);
    return out;
  }
}
