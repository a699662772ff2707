/**
 * Batches remembered between acceptance and matching. Matching normally
 * follows within a second; past this many outstanding batches (a replica
 * catching up on a long history) the oldest are forgotten, and their alerts
 * are counted without a latency rather than growing memory without bound.
 */
export const MAX_OUTSTANDING_BATCHES = 10_000;

/**
 * When each batch was accepted at this node, so the time to its alerts can
 * be measured once it is matched. Pure bookkeeping (the clock is passed in).
 */
export class AcceptanceTimes {
  readonly #acceptedAt = new Map<string, number>();

  constructor(private readonly max = MAX_OUTSTANDING_BATCHES) {}

  accepted(providerId: string, seq: bigint, now: number): void {
    this.#acceptedAt.set(`${providerId}/${seq}`, now);
    // Maps iterate in insertion order: the first key is the oldest.
    if (this.#acceptedAt.size > this.max) this.#acceptedAt.delete(this.#acceptedAt.keys().next().value!);
  }

  /** Milliseconds since the batch was accepted (forgetting it), or undefined if it was not seen here. */
  matched(providerId: string, seq: bigint, now: number): number | undefined {
    const key = `${providerId}/${seq}`;
    const at = this.#acceptedAt.get(key);
    this.#acceptedAt.delete(key);
    return at === undefined ? undefined : Math.max(0, now - at);
  }

  get size(): number {
    return this.#acceptedAt.size;
  }
}
