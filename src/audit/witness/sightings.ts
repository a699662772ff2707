/**
 * When the witness first saw each consortium node report each provider's
 * chain head (FederationService/GetHeads). A node that reported seq n has
 * accepted batch n, so its log must hold that batch within the merge delay.
 * Kept in memory: a restarted witness just starts the clock again.
 */
export class Sightings {
  readonly #seen = new Map<string, Map<string, { seq: bigint; since: number }>>();

  /** Records a node's heads as seen at `now` (a head keeps its first sighting time until it moves). */
  note(nodeId: string, heads: ReadonlyMap<string, bigint>, now: number): void {
    const byProvider = this.#seen.get(nodeId) ?? this.#seen.set(nodeId, new Map()).get(nodeId)!;
    for (const [providerId, seq] of heads) {
      if (byProvider.get(providerId)?.seq !== seq) byProvider.set(providerId, { seq, since: now });
    }
  }

  /** Heads of `nodeId` first seen more than `delayMs` before `now`. */
  overdue(nodeId: string, now: number, delayMs: number): { providerId: string; seq: bigint; since: number }[] {
    return [...(this.#seen.get(nodeId) ?? new Map<string, { seq: bigint; since: number }>()).entries()]
      .filter(([, s]) => now - s.since > delayMs)
      .map(([providerId, s]) => ({ providerId, ...s }));
  }

  /** Forgets a head once the node's log holds it. */
  settle(nodeId: string, providerId: string, seq: bigint): void {
    const s = this.#seen.get(nodeId)?.get(providerId);
    if (s?.seq === seq) this.#seen.get(nodeId)!.delete(providerId);
  }
}
