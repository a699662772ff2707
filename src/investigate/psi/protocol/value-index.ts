/**
 * An index over fixed-width pseudorandom values (doubly blinded points) for
 * membership tests: open addressing with linear probing, keyed by the first
 * four bytes, which are uniformly distributed. Two typed arrays, no per-value
 * objects: 10 million values cost 128 MiB of slots plus the values themselves,
 * where a Set of strings would cost several times that.
 */
export class ValueIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly rows: Uint8Array,
    private readonly width: number,
  ) {
    const count = rows.length / width;
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    this.slots = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < count; i++) {
      let s = this.hash(rows, i * width);
      while (this.slots[s] !== -1) s = (s + 1) & this.mask;
      this.slots[s] = i;
    }
  }

  /** Whether the value at `offset` in `other` is in the index. */
  has(other: Uint8Array, offset: number): boolean {
    for (let s = this.hash(other, offset); ; s = (s + 1) & this.mask) {
      const i = this.slots[s]!;
      if (i === -1) return false;
      if (this.equal(i * this.width, other, offset)) return true;
    }
  }

  private hash(bytes: Uint8Array, offset: number): number {
    return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) & this.mask;
  }

  private equal(mine: number, other: Uint8Array, offset: number): boolean {
    for (let j = 0; j < this.width; j++) if (this.rows[mine + j] !== other[offset + j]) return false;
    return true;
  }
}
