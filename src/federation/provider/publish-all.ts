import type { KeyObject } from 'node:crypto';
import type { Sql } from 'postgres';
import { errorMessage } from '../../errors.js';
import { PeerClient } from '../client/peer-client.js';
import type { Membership } from '../membership/membership.js';
import { consortiumPeers } from '../node/peers.js';
import { deliverTo } from './deliver.js';

/** What one consortium node took from the outbox. */
export interface NodeDelivery {
  readonly node: string;
  /** The node's head of this provider's chain once it had everything; absent when delivery failed. */
  readonly headSeq?: bigint;
  /** Batches the node accepted now. */
  readonly sent: readonly bigint[];
  /** Batches sent that the node answered it already held. */
  readonly alreadyHeld: readonly bigint[];
  /** Why delivery stopped, if it did. */
  readonly error?: string;
}

/**
 * Delivers the outbox to every target consortium node, one after another.
 * Never throws for a node that cannot be reached: its entry carries the
 * error. `onBatch` hears of each acknowledged batch (for a progress display).
 */
export async function deliverToAll(
  sql: Sql,
  self: { id: string; key: KeyObject },
  membership: Membership,
  publishTo: readonly string[] | undefined,
  onBatch?: (node: string, seq: bigint) => void,
): Promise<NodeDelivery[]> {
  const results: NodeDelivery[] = [];
  for (const peer of consortiumPeers(membership, self.id, publishTo)) {
    const client = new PeerClient(self, peer);
    const sent: bigint[] = [];
    const alreadyHeld: bigint[] = [];
    try {
      const r = await deliverTo(sql, self.id, client, (b, held) => {
        (held ? alreadyHeld : sent).push(b.seq);
        onBatch?.(peer.id, b.seq);
      });
      results.push({ node: peer.id, headSeq: r.headSeq, sent, alreadyHeld });
    } catch (err) {
      results.push({ node: peer.id, sent, alreadyHeld, error: errorMessage(err) });
    } finally {
      client.close();
    }
  }
  return results;
}
