/**
 * Remembers token ids until they expire. Memory is bounded by the call rate
 * times the token lifetime; expired entries are swept as new ones arrive.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  /** Records `id` until `expiresAt` (ms); false if it was already recorded. */
  remember(id: string, expiresAt: number, now = Date.now()): boolean {
    if (now >= this.nextSweep) this.sweep(now);
    const known = this.seen.get(id);
    if (known !== undefined && known > now) return false;
    this.seen.set(id, expiresAt);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    for (const [id, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(id);
    this.nextSweep = now + 1000;
  }
}
