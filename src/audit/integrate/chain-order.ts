/**
 * The order pending batches enter the log: acceptance order across providers
 * (by the time each was received), but always sequence order within one
 * provider's chain, which parallel commits could otherwise invert by a few
 * milliseconds. Pure; stable for equal times (provider id, then seq).
 */
export function chainOrder<T extends { providerId: string; seq: bigint; receivedAt: Date }>(batches: readonly T[]): T[] {
  const byTime = [...batches].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0) || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  // Each provider keeps the positions it occupies in time order, filled in sequence order.
  const bySeq = new Map<string, T[]>();
  for (const b of batches) (bySeq.get(b.providerId) ?? bySeq.set(b.providerId, []).get(b.providerId)!).push(b);
  for (const list of bySeq.values()) list.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  const next = new Map<string, number>();
  return byTime.map((slot) => {
    const i = next.get(slot.providerId) ?? 0;
    next.set(slot.providerId, i + 1);
    return bySeq.get(slot.providerId)![i]!;
  });
}
