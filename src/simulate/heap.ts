/**
 * A binary min-heap of (time, item) pairs on typed arrays: the next request
 * across every account of a provider, so a log comes out in time order
 * without holding more than one pending request per account.
 */
export class TimeHeap {
  private times: Float64Array;
  private items: Int32Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.times = new Float64Array(Math.max(1, capacity));
    this.items = new Int32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  push(time: number, item: number): void {
    if (this.n === this.times.length) this.grow();
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent] as number;
      if (pt <= time) break;
      this.times[i] = pt;
      this.items[i] = this.items[parent] as number;
      i = parent;
    }
    this.times[i] = time;
    this.items[i] = item;
  }

  peekTime(): number {
    return this.times[0] as number;
  }

  peekItem(): number {
    return this.items[0] as number;
  }

  /** Removes the minimum. */
  pop(): void {
    const n = --this.n;
    if (n <= 0) return;
    const time = this.times[n] as number;
    const item = this.items[n] as number;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (this.times[right] as number) < (this.times[child] as number)) child = right;
      if ((this.times[child] as number) >= time) break;
      this.times[i] = this.times[child] as number;
      this.items[i] = this.items[child] as number;
      i = child;
    }
    this.times[i] = time;
    this.items[i] = item;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const items = new Int32Array(this.items.length * 2);
    items.set(this.items);
    this.times = times;
    this.items = items;
  }
}
