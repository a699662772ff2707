/**
 * Unique integer keys for simulated entities (people, organisations, cards,
 * devices). Identifiers are derived from keys, and keys are never reused, so
 * two entities share an identifier only when the scenario says they do —
 * accidental collisions would plant links the ground truth does not know.
 * Allocation order is fixed by the plan, so keys are deterministic.
 */
export class Keys {
  private n = 1;
  next(): number {
    return this.n++;
  }

  /** Reserves `count` consecutive keys and returns the first: a pool of entities. */
  reserve(count: number): number {
    const first = this.n;
    this.n += Math.max(1, count);
    return first;
  }
}
