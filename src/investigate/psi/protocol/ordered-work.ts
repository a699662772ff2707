/**
 * Keeps up to `limit` jobs in flight (so every engine thread stays busy) and
 * hands their results to `deliver` strictly in submission order (so lists go
 * out in the order they were computed). `submit` waits while the window is
 * full: a fast producer is slowed to the engine's pace, which is what turns
 * stream reading into backpressure.
 */
export class OrderedWork<T> {
  private readonly window: Promise<T>[] = [];

  constructor(
    private readonly limit: number,
    private readonly deliver: (result: T) => void | Promise<void>,
  ) {}

  async submit(job: () => Promise<T>): Promise<void> {
    const started = job();
    // A failure surfaces when its turn comes; until then it must not count as unhandled.
    started.catch(() => undefined);
    this.window.push(started);
    while (this.window.length >= this.limit) await this.deliverOldest();
  }

  /** Waits for every job submitted so far and delivers the rest. */
  async drain(): Promise<void> {
    while (this.window.length > 0) await this.deliverOldest();
  }

  private async deliverOldest(): Promise<void> {
    const result = await this.window[0]!;
    this.window.shift();
    await this.deliver(result);
  }
}
