/**
 * The consortium node's token index: from a token's lookup key (its first 8
 * bytes) to the active records holding it. It is a cache of the `records`
 * table — every posting it holds is derived from a matched batch's stored
 * bytes — rebuilt when the node starts (see load-token-index.ts) and updated
 * by the matcher only after each batch's transaction commits, so it never
 * holds what the database does not.
 *
 * Why memory and not a table: every published token must be both looked up
 * and indexed, and 99 % of them never match anything. A PostgreSQL index on
 * 15 M random keys costs ~10 µs per insert and per probe, which capped
 * matching near 10,000 records/s; this costs well under 1 µs. The price is
 * ~40 bytes per token of RAM and a rebuild at start.
 *
 * Layout: open addressing (linear probing, load ≤ 1/2) over the 64-bit keys
 * split in two uint32 halves; each slot heads a chain of postings, each
 * posting a (record, kind) pair; records live in parallel arrays. A
 * withdrawn record is tombstoned (its postings are skipped) and the index
 * compacts itself once tombstones outnumber live records (see COMPACT_AT), so
 * a node whose providers keep retracting and republishing holds memory for
 * what is live, not for everything it has ever seen.
 */
const INITIAL_SLOTS = 1 << 16;
const INITIAL_POSTINGS = 1 << 16;
const INITIAL_RECORDS = 1 << 14;
const EMPTY = -1;
/**
 * Compaction runs when withdrawn records reach this many and outnumber the
 * live ones: each compaction then costs no more than the withdrawals since
 * the last one (amortized O(1) per withdrawal), and a small index never
 * bothers.
 */
export const COMPACT_AT = 1 << 16;

export interface IndexedRecord { provider: string; record: string; epoch: number; publishedMs: number; expiresMs: number }

export class TokenIndex {
  #slotHi = new Uint32Array(INITIAL_SLOTS);
  #slotLo = new Uint32Array(INITIAL_SLOTS);
  #slotHead = new Int32Array(INITIAL_SLOTS).fill(EMPTY);
  #claimed = new Uint8Array(INITIAL_SLOTS);
  #slotsUsed = 0;

  #postRecord = new Int32Array(INITIAL_POSTINGS);
  #postNext = new Int32Array(INITIAL_POSTINGS);
  #postKind = new Uint8Array(INITIAL_POSTINGS);
  #postings = 0;

  #recProvider = new Uint16Array(INITIAL_RECORDS);
  #recEpoch = new Uint32Array(INITIAL_RECORDS);
  #recPublished = new Float64Array(INITIAL_RECORDS);
  #recExpires = new Float64Array(INITIAL_RECORDS);
  #recAlive = new Uint8Array(INITIAL_RECORDS);
  #recId: string[] = [];
  #records = 0;
  #withdrawn = 0;

  readonly #providers: string[] = [];
  readonly #providerIndex = new Map<string, number>();
  /** provider → record id → record refs (a record id may be republished). */
  readonly #byRecord = new Map<string, Map<string, number[]>>();

  get tokenCount(): number {
    return this.#postings;
  }

  /** Records held, live or withdrawn but not yet compacted away. */
  get recordCount(): number {
    return this.#records;
  }

  get liveRecordCount(): number {
    return this.#records - this.#withdrawn;
  }

  /** Bytes held by the typed arrays (what compaction bounds). */
  get byteSize(): number {
    return [this.#slotHi, this.#slotLo, this.#slotHead, this.#claimed, this.#postRecord, this.#postNext, this.#postKind, this.#recProvider, this.#recEpoch, this.#recPublished, this.#recExpires, this.#recAlive].reduce((n, a) => n + a.byteLength, 0);
  }

  /** Adds a record and its (kind, token) pairs. */
  add(r: IndexedRecord, tokens: readonly { kind: number; token: Uint8Array }[]): void {
    const ref = this.#addRecord(r);
    for (const t of tokens) this.#addPosting(ref, t.kind, t.token);
  }

  /** Active records holding a token whose lookup key and kind equal these (the caller verifies the full token). */
  lookup(kind: number, token: Uint8Array, epoch: number, nowMs: number): IndexedRecord[] {
    const slot = this.#find(hi(token), lo(token));
    if (slot < 0) return [];
    const out: IndexedRecord[] = [];
    for (let p = this.#slotHead[slot]!; p !== EMPTY; p = this.#postNext[p]!) {
      if (this.#postKind[p] !== kind) continue;
      const ref = this.#postRecord[p]!;
      if (!this.#recAlive[ref] || this.#recEpoch[ref] !== epoch || this.#recExpires[ref]! <= nowMs) continue;
      out.push(this.#recordAt(ref));
    }
    return out;
  }

  /** Stops a record from matching (retraction, expiry). */
  withdraw(provider: string, record: string): void {
    for (const ref of this.#byRecord.get(provider)?.get(record) ?? []) {
      if (this.#recAlive[ref]) this.#withdrawn++;
      this.#recAlive[ref] = 0;
    }
    this.#byRecord.get(provider)?.delete(record);
    if (this.#withdrawn >= COMPACT_AT && this.#withdrawn * 2 > this.#records) this.compact();
  }

  /**
   * Drops withdrawn records and their postings, and the keys left with none,
   * then sizes every array to what is live. Lookups answer exactly as before
   * (postings keep their order within a key).
   */
  compact(): void {
    const liveRef = new Int32Array(this.#records).fill(EMPTY);
    let live = 0;
    for (let r = 0; r < this.#records; r++) if (this.#recAlive[r]) liveRef[r] = live++;

    const recCap = capacity(live, INITIAL_RECORDS);
    const recProvider = new Uint16Array(recCap);
    const recEpoch = new Uint32Array(recCap);
    const recPublished = new Float64Array(recCap);
    const recExpires = new Float64Array(recCap);
    const recAlive = new Uint8Array(recCap);
    const recId: string[] = new Array<string>(live);
    for (let r = 0; r < this.#records; r++) {
      const n = liveRef[r]!;
      if (n === EMPTY) continue;
      recProvider[n] = this.#recProvider[r]!;
      recEpoch[n] = this.#recEpoch[r]!;
      recPublished[n] = this.#recPublished[r]!;
      recExpires[n] = this.#recExpires[r]!;
      recAlive[n] = 1;
      recId[n] = this.#recId[r]!;
    }

    // Postings: walk every key's chain, keep those of live records, relink in the same order.
    let kept = 0;
    for (let s = 0; s < this.#slotHead.length; s++) {
      if (!this.#claimed[s]) continue;
      for (let p = this.#slotHead[s]!; p !== EMPTY; p = this.#postNext[p]!) if (liveRef[this.#postRecord[p]!] !== EMPTY) kept++;
    }
    const postCap = capacity(kept, INITIAL_POSTINGS);
    const postRecord = new Int32Array(postCap);
    const postNext = new Int32Array(postCap);
    const postKind = new Uint8Array(postCap);
    const keys: { h: number; l: number; head: number }[] = [];
    let n = 0;
    for (let s = 0; s < this.#slotHead.length; s++) {
      if (!this.#claimed[s]) continue;
      let head = EMPTY;
      let tail = EMPTY;
      for (let p = this.#slotHead[s]!; p !== EMPTY; p = this.#postNext[p]!) {
        const ref = liveRef[this.#postRecord[p]!]!;
        if (ref === EMPTY) continue;
        postRecord[n] = ref;
        postKind[n] = this.#postKind[p]!;
        postNext[n] = EMPTY;
        if (tail === EMPTY) head = n;
        else postNext[tail] = n;
        tail = n++;
      }
      if (head !== EMPTY) keys.push({ h: this.#slotHi[s]!, l: this.#slotLo[s]!, head });
    }

    const slotCap = capacity(keys.length * 2, INITIAL_SLOTS);
    this.#slotHi = new Uint32Array(slotCap);
    this.#slotLo = new Uint32Array(slotCap);
    this.#slotHead = new Int32Array(slotCap).fill(EMPTY);
    this.#claimed = new Uint8Array(slotCap);
    this.#slotsUsed = 0;
    for (const k of keys) {
      const slot = ~this.#find(k.h, k.l);
      this.#slotHi[slot] = k.h;
      this.#slotLo[slot] = k.l;
      this.#slotHead[slot] = k.head;
      this.#claimed[slot] = 1;
      this.#slotsUsed++;
    }

    [this.#postRecord, this.#postNext, this.#postKind, this.#postings] = [postRecord, postNext, postKind, kept];
    [this.#recProvider, this.#recEpoch, this.#recPublished, this.#recExpires, this.#recAlive, this.#recId, this.#records] = [recProvider, recEpoch, recPublished, recExpires, recAlive, recId, live];
    this.#withdrawn = 0;
    for (const refs of this.#byRecord.values()) {
      for (const [record, list] of refs) {
        const moved = list.map((r) => liveRef[r]!).filter((r) => r !== EMPTY);
        if (moved.length) refs.set(record, moved);
        else refs.delete(record);
      }
    }
  }

  /** Stops a token from matching anything (quarantine, never-match). */
  exclude(kind: number, token: Uint8Array): void {
    const slot = this.#find(hi(token), lo(token));
    if (slot < 0) return;
    // Unlink the kind's postings from the chain; other kinds sharing the key stay.
    let prev = EMPTY;
    for (let p = this.#slotHead[slot]!; p !== EMPTY; p = this.#postNext[p]!) {
      if (this.#postKind[p] === kind) {
        if (prev === EMPTY) this.#slotHead[slot] = this.#postNext[p]!;
        else this.#postNext[prev] = this.#postNext[p]!;
      } else prev = p;
    }
  }

  #recordAt(ref: number): IndexedRecord {
    return { provider: this.#providers[this.#recProvider[ref]!]!, record: this.#recId[ref]!, epoch: this.#recEpoch[ref]!, publishedMs: this.#recPublished[ref]!, expiresMs: this.#recExpires[ref]! };
  }

  #addRecord(r: IndexedRecord): number {
    let p = this.#providerIndex.get(r.provider);
    if (p === undefined) {
      p = this.#providers.length;
      this.#providers.push(r.provider);
      this.#providerIndex.set(r.provider, p);
      this.#byRecord.set(r.provider, new Map());
    }
    if (this.#records === this.#recAlive.length) this.#growRecords();
    const ref = this.#records++;
    this.#recProvider[ref] = p;
    this.#recEpoch[ref] = r.epoch;
    this.#recPublished[ref] = r.publishedMs;
    this.#recExpires[ref] = r.expiresMs;
    this.#recAlive[ref] = 1;
    this.#recId[ref] = r.record;
    const refs = this.#byRecord.get(r.provider)!;
    const list = refs.get(r.record);
    if (list) list.push(ref);
    else refs.set(r.record, [ref]);
    return ref;
  }

  #addPosting(ref: number, kind: number, token: Uint8Array): void {
    if (this.#postings === this.#postRecord.length) this.#growPostings();
    if ((this.#slotsUsed + 1) * 2 > this.#slotHead.length) this.#rehash(this.#slotHead.length * 2);
    const h = hi(token);
    const l = lo(token);
    let slot = this.#find(h, l);
    if (slot < 0) {
      slot = ~slot;
      this.#slotHi[slot] = h;
      this.#slotLo[slot] = l;
      this.#claimed[slot] = 1;
      this.#slotsUsed++;
    }
    const p = this.#postings++;
    this.#postRecord[p] = ref;
    this.#postKind[p] = kind;
    this.#postNext[p] = this.#slotHead[slot]!;
    this.#slotHead[slot] = p;
  }

  /**
   * The slot holding this key, or ~(the free slot where it would go). A slot
   * stays claimed once used, even if exclude() emptied its chain, so probe
   * sequences never break.
   */
  #find(h: number, l: number): number {
    const mask = this.#slotHead.length - 1;
    for (let s = l & mask; ; s = (s + 1) & mask) {
      if (!this.#claimed[s]) return ~s;
      if (this.#slotLo[s] === l && this.#slotHi[s] === h) return s;
    }
  }

  #rehash(size: number): void {
    const [oldHi, oldLo, oldHead, oldClaimed] = [this.#slotHi, this.#slotLo, this.#slotHead, this.#claimed];
    this.#slotHi = new Uint32Array(size);
    this.#slotLo = new Uint32Array(size);
    this.#slotHead = new Int32Array(size).fill(EMPTY);
    this.#claimed = new Uint8Array(size);
    const mask = size - 1;
    for (let s = 0; s < oldHead.length; s++) {
      if (!oldClaimed[s]) continue;
      let t = oldLo[s]! & mask;
      while (this.#claimed[t]) t = (t + 1) & mask;
      this.#slotHi[t] = oldHi[s]!;
      this.#slotLo[t] = oldLo[s]!;
      this.#slotHead[t] = oldHead[s]!;
      this.#claimed[t] = 1;
    }
  }

  #growPostings(): void {
    const n = this.#postRecord.length * 2;
    this.#postRecord = grow(this.#postRecord, new Int32Array(n));
    this.#postNext = grow(this.#postNext, new Int32Array(n));
    this.#postKind = grow(this.#postKind, new Uint8Array(n));
  }

  #growRecords(): void {
    const n = this.#recAlive.length * 2;
    this.#recProvider = grow(this.#recProvider, new Uint16Array(n));
    this.#recEpoch = grow(this.#recEpoch, new Uint32Array(n));
    this.#recPublished = grow(this.#recPublished, new Float64Array(n));
    this.#recExpires = grow(this.#recExpires, new Float64Array(n));
    this.#recAlive = grow(this.#recAlive, new Uint8Array(n));
  }
}

/** The power of two at least `n` (and at least `min`). */
function capacity(n: number, min: number): number {
  let c = min;
  while (c < n) c *= 2;
  return c;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

const hi = (t: Uint8Array) => ((t[0]! << 24) | (t[1]! << 16) | (t[2]! << 8) | t[3]!) >>> 0;
const lo = (t: Uint8Array) => ((t[4]! << 24) | (t[5]! << 16) | (t[6]! << 8) | t[7]!) >>> 0;
