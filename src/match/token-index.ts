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
 * withdrawn record is tombstoned (its postings are skipped); the space is
 * reclaimed at the next rebuild.
 */
const INITIAL_SLOTS = 1 << 16;
const INITIAL_POSTINGS = 1 << 16;
const INITIAL_RECORDS = 1 << 14;
const EMPTY = -1;

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

  readonly #providers: string[] = [];
  readonly #providerIndex = new Map<string, number>();
  /** provider → record id → record refs (a record id may be republished). */
  readonly #byRecord = new Map<string, Map<string, number[]>>();

  get tokenCount(): number {
    return this.#postings;
  }

  get recordCount(): number {
    return this.#records;
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
    for (const ref of this.#byRecord.get(provider)?.get(record) ?? []) this.#recAlive[ref] = 0;
    this.#byRecord.get(provider)?.delete(record);
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

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

const hi = (t: Uint8Array) => ((t[0]! << 24) | (t[1]! << 16) | (t[2]! << 8) | t[3]!) >>> 0;
const lo = (t: Uint8Array) => ((t[4]! << 24) | (t[5]! << 16) | (t[6]! << 8) | t[7]!) >>> 0;
