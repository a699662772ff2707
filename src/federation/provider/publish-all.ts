import type { KeyObject } from 'node:crypto';
import type { Sql } from 'postgres';
import { errorMessage } from '../../errors.js';
import { PeerClient } from '../client/peer-client.js';
import type { Membership } from '../membership/membership.js';
import { consortiumPeers } from '../node/peers.js';
import { deliverTo } from './deliver.js';

/** Delivers the outbox to every target consortium node; one line per node. Resolves to the number of nodes that failed. */
export async function deliverToAll(
  sql: Sql,
  self: { id: string; key: KeyObject },
  membership: Membership,
  publishTo: readonly string[] | undefined,
  say: { out(l: string): void; err(l: string): void },
): Promise<number> {
  let failed = 0;
  for (const peer of consortiumPeers(membership, self.id, publishTo)) {
    const client = new PeerClient(self, peer);
    try {
      const r = await deliverTo(sql, self.id, client);
      say.out(`${peer.id}: head seq ${r.headSeq} (${r.sent} sent, ${r.duplicates} already held)`);
    } catch (err) {
      failed++;
      say.err(`${peer.id}: not delivered: ${errorMessage(err)}`);
    } finally {
      client.close();
    }
  }
  return failed;
}
