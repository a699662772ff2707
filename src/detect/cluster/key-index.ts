/**
 * Groups accounts by a shared key (a 52-bit identifier hash): for each key,
 * the first account that had it and how many did. Open addressing over typed
 * arrays — millions of keys cost tens of megabytes, not a Map entry each.
 * Key 0 means "no value" and is never stored.
 */
export class KeyIndex {
  private keys: Float64Array;
  private firsts: Int32Array;
  private counts: Int32Array;
  private used = 0;

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.firsts = new Int32Array(cap);
    this.counts = new Int32Array(cap);
  }

  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let s = ((key >>> 0) ^ Math.floor(key / 4294967296)) & mask;
    while (this.keys[s] !== 0 && this.keys[s] !== key) s = (s + 1) & mask;
    return s;
  }

  /** Records that `account` has `key`. */
  add(key: number, account: number): void {
    if (key === 0) return;
    if (this.used * 2 >= this.keys.length) this.rehash();
    const s = this.slot(key);
    if (this.keys[s] === 0) {
      this.keys[s] = key;
      this.firsts[s] = account;
      this.used++;
    }
    this.counts[s] = (this.counts[s] as number) + 1;
  }

  /** Forgets every key, keeping the memory for the next use. */
  clear(): void {
    this.keys.fill(0);
    this.counts.fill(0);
    this.used = 0;
  }

  /** How many accounts have `key` (0 if none). */
  count(key: number): number {
    if (key === 0) return 0;
    const s = this.slot(key);
    return this.keys[s] === 0 ? 0 : (this.counts[s] as number);
  }

  /** The first account that had `key` (-1 if none). */
  first(key: number): number {
    if (key === 0) return -1;
    const s = this.slot(key);
    return this.keys[s] === 0 ? -1 : (this.firsts[s] as number);
  }

  private rehash(): void {
    const { keys, firsts, counts } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.firsts = new Int32Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k === 0) continue;
      const s = this.slot(k);
      this.keys[s] = k;
      this.firsts[s] = firsts[i] as number;
      this.counts[s] = counts[i] as number;
    }
  }
}
