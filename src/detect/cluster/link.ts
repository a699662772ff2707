import { TEMPLATE_SLOTS, SYNC_KMV, type AccountStore } from '../accounts/store.js';
import { heavyHitterTop } from '../sketch/sketches.js';
import { KeyIndex } from './key-index.js';
import { UnionFind } from './union-find.js';

/**
 * Links accounts that one operator is likely to control into clusters.
 *
 * Strong links — a shared payment method, device, mailbox (after alias
 * normalisation) or phone — join any two accounts: legitimate sharing
 * (a household card, a company invoice) makes small benign clusters, which
 * the cluster score then judges on their behaviour.
 *
 * Weak links — the same network (/24 or /48), the same dominant prompt
 * template, the same active 5-minute buckets — are everywhere in legitimate
 * traffic (public benchmark templates, office NATs, cloud blocks), so they
 * only join accounts that already look suspicious on their own ("gated"), and
 * only through values held mostly by such accounts: a template that hundreds
 * of ordinary researchers share links nobody. And a weak link only attaches
 * a lone account to a group; it never merges two groups, because one shared
 * proxy subnet or one public prompt recipe is too little to say that two
 * operations are one.
 */
export const LINK_KINDS = ['payment', 'device', 'mailbox', 'phone', 'network', 'template', 'sync'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** A value shared by more accounts than this is infrastructure (a placeholder, a default fingerprint), not an operator. */
export const MAX_LINK_FANOUT = 5000;
/** A weak value links only if at least this share of its holders is gated. */
export const WEAK_LINK_PURITY = 0.5;
/** A template dominates an account when it accounts for this share of at least MIN_TEMPLATE_PROMPTS prompts. */
const TEMPLATE_DOMINANCE = 0.5;
const MIN_TEMPLATE_PROMPTS = 5;
/** Timing signatures mean something only for accounts active in few buckets (an always-on service matches everyone). */
export const SYNC_MAX_BUCKET_SHARE = 0.05;
const SYNC_MIN_BUCKETS = 3;

export interface Links {
  readonly uf: UnionFind;
  /** Per account: how many accounts share its most-shared value of each kind (0 = none, capped at 65535), in LINK_KINDS order. */
  readonly shared: Uint16Array;
  /** Unions made by each kind (a measure of what built the clusters). */
  readonly unions: Record<LinkKind, number>;
}

/** The account's weak link key of one kind (0 = none). */
export function weakKey(store: AccountStore, i: number, kind: 'network' | 'template' | 'sync', bucketTotal: number): number {
  if (kind === 'network') {
    const net = store.firstNet[i] as number;
    return net === 0 ? 0 : (net >>> 0) + 1;
  }
  if (kind === 'template') {
    const prompts = store.prompts[i] as number;
    if (prompts < MIN_TEMPLATE_PROMPTS) return 0;
    const base = i * TEMPLATE_SLOTS;
    const p = heavyHitterTop(store.prefixCounts, base, TEMPLATE_SLOTS);
    const s = heavyHitterTop(store.suffixCounts, base, TEMPLATE_SLOTS);
    const pc = store.prefixCounts[p] as number;
    const sc = store.suffixCounts[s] as number;
    if (pc >= sc && pc >= TEMPLATE_DOMINANCE * prompts) return (store.prefixKeys[p] as number) * 4 + 1;
    if (sc >= TEMPLATE_DOMINANCE * prompts) return (store.suffixKeys[s] as number) * 4 + 2;
    return 0;
  }
  const buckets = store.activeBuckets[i] as number;
  if (buckets < SYNC_MIN_BUCKETS || buckets > SYNC_MAX_BUCKET_SHARE * bucketTotal) return 0;
  const a = store.syncKmv[i * SYNC_KMV] as number;
  const b = store.syncKmv[i * SYNC_KMV + 1] as number;
  return a * 1048576 + (b >>> 12) + 1;
}

export function linkAccounts(store: AccountStore, gated: Uint8Array, bucketTotal: number): Links {
  const n = store.count;
  const uf = new UnionFind(n);
  const shared = new Uint16Array(n * LINK_KINDS.length);
  const unions = Object.fromEntries(LINK_KINDS.map((k) => [k, 0])) as Record<LinkKind, number>;
  const note = (i: number, k: number, count: number): void => {
    const at = i * LINK_KINDS.length + k;
    if (count > (shared[at] as number)) shared[at] = Math.min(0xffff, count);
  };
  // One index, cleared between kinds: memory for one kind's keys at a time.
  const index = new KeyIndex(n);

  const strong: [LinkKind, Float64Array[]][] = [
    ['payment', [store.pay0, store.pay1]],
    ['device', [store.dev0, store.dev1]],
    ['mailbox', [store.mailbox]],
    ['phone', [store.phone]],
  ];
  for (const [kind, columns] of strong) {
    const k = LINK_KINDS.indexOf(kind);
    index.clear();
    for (const col of columns) for (let i = 0; i < n; i++) index.add(col[i] as number, i);
    for (const col of columns) {
      for (let i = 0; i < n; i++) {
        const key = col[i] as number;
        const count = index.count(key);
        if (count < 2) continue;
        note(i, k, count);
        if (count <= MAX_LINK_FANOUT && uf.union(i, index.first(key))) unions[kind]++;
      }
    }
  }

  let gatedCount = 0;
  for (let i = 0; i < n; i++) gatedCount += gated[i] as number;
  const suspicious = new KeyIndex(Math.max(16, gatedCount));
  for (const kind of ['network', 'template', 'sync'] as const) {
    const k = LINK_KINDS.indexOf(kind);
    index.clear();
    suspicious.clear();
    for (let i = 0; i < n; i++) {
      const key = weakKey(store, i, kind, bucketTotal);
      index.add(key, i);
      if (gated[i]) suspicious.add(key, i);
    }
    for (let i = 0; i < n; i++) {
      if (!gated[i]) continue;
      const key = weakKey(store, i, kind, bucketTotal);
      const count = suspicious.count(key);
      if (count < 2) continue;
      const total = index.count(key);
      if (count < WEAK_LINK_PURITY * total || total > MAX_LINK_FANOUT) continue;
      note(i, k, count);
      const first = suspicious.first(key);
      if ((uf.sizeOf(i) === 1 || uf.sizeOf(first) === 1) && uf.union(i, first)) unions[kind]++;
    }
  }
  return { uf, shared, unions };
}
