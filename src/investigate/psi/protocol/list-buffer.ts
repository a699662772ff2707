import { CordonError } from '../../../errors.js';

/**
 * Collects one list the peer streams in chunks: exactly `count` values of
 * `width` bytes, announced beforehand by the set sizes. A chunk that is not a
 * whole number of values, or that would overflow the list, is refused; a list
 * is complete only when every value has arrived.
 */
export class ListBuffer {
  readonly rows: Uint8Array;
  private received = 0;

  constructor(
    readonly name: string,
    readonly count: number,
    readonly width: number,
  ) {
    this.rows = new Uint8Array(count * width);
  }

  /** Every chunk has arrived (its values may still be in processing). */
  get complete(): boolean {
    return this.received === this.count;
  }

  get receivedCount(): number {
    return this.received;
  }

  /**
   * Checks a chunk's shape (whole `valueWidth`-byte values, not past the
   * announced count) and reserves its place; returns the index of its first
   * value. The values arrive `valueWidth` wide and are stored `width` wide
   * once processed (a point arrives as 32 bytes and is kept blinded as 16).
   */
  reserve(bytes: Uint8Array, valueWidth: number, from: string): number {
    if (bytes.length === 0 || bytes.length % valueWidth !== 0) {
      throw new CordonError('INVALID_INPUT', `${from}: a chunk of ${this.name} has ${bytes.length} bytes, not a whole number of ${valueWidth}-byte values`);
    }
    const n = bytes.length / valueWidth;
    if (this.received + n > this.count) {
      throw new CordonError('INVALID_INPUT', `${from}: ${this.name} has more than the ${this.count} values announced`);
    }
    const first = this.received;
    this.received += n;
    return first;
  }

  /** Stores values (already checked and processed) at their reserved place. */
  fill(first: number, values: Uint8Array): void {
    this.rows.set(values, first * this.width);
  }
}
