import type { RunningNode } from '../federation/node/start-node.js';
import { consortiumPeers } from '../federation/node/peers.js';
import { AlertClient } from '../match/client/alert-client.js';

/**
 * Was the planted campaign found? Asked the way a provider can: each provider
 * lists the campaigns a consortium node discloses to it (only those holding
 * its own records), and maps its own records back to its own accounts
 * (local_records, never leaving the node). The campaign holding the planted
 * accounts at every provider is the one found.
 */
export interface ProviderFinding { provider: string; campaign?: string; plantedAccounts: number; ownRecords: number }

export async function findPlanted(providers: readonly RunningNode[], plantedAccounts: ReadonlySet<string>): Promise<ProviderFinding[]> {
  return Promise.all(providers.map(async (node): Promise<ProviderFinding> => {
    const peer = consortiumPeers(node.membership, node.config.id, node.config.publish_to)[0];
    const provider = node.config.id;
    if (!peer) return { provider, plantedAccounts: 0, ownRecords: 0 };
    const client = new AlertClient({ id: provider, key: node.key.privateKey }, peer);
    try {
      let best: ProviderFinding = { provider, plantedAccounts: 0, ownRecords: 0 };
      for (const c of (await client.listCampaigns()).campaigns) {
        const rows = await node.db.sql<{ account_id: string | null }[]>`SELECT account_id FROM local_records WHERE record_id = ANY(${c.ownRecordIds}::text[])`;
        const planted = new Set(rows.flatMap((r) => (r.account_id && plantedAccounts.has(r.account_id) ? [r.account_id] : []))).size;
        if (planted > best.plantedAccounts) best = { provider, campaign: c.id, plantedAccounts: planted, ownRecords: c.ownRecordIds.length };
      }
      return best;
    } finally {
      client.close();
    }
  }));
}
