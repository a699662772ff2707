/** How far this node is behind one peer on one provider's chain, in batches. */
export interface LagSample {
  readonly peer: string;
  readonly provider: string;
  readonly batches: number;
}

/**
 * Per peer and provider: how many batches the peer held (when last asked)
 * beyond this node's head. Zero when this node is level or ahead: lag is
 * about what replication still has to pull, not about the peer being behind.
 */
export function replicationLag(peerHeads: ReadonlyMap<string, ReadonlyMap<string, bigint>>, localHeads: ReadonlyMap<string, bigint>): LagSample[] {
  const out: LagSample[] = [];
  for (const [peer, heads] of peerHeads) {
    for (const [provider, seq] of heads) {
      const behind = seq - (localHeads.get(provider) ?? 0n);
      out.push({ peer, provider, batches: behind > 0n ? Number(behind) : 0 });
    }
  }
  return out;
}
