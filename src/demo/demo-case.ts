import { join } from 'node:path';
import { ENC_KEY_FILE, readEncryptionKey } from '../crypto/encryption-key.js';
import { CaseStatus } from '../gen/cordon/v1/investigations_pb.js';
import type { Peer } from '../federation/client/peer-client.js';
import type { RunningNode } from '../federation/node/start-node.js';
import { CaseClient } from '../investigate/cases/client/case-client.js';
import { localContext } from '../investigate/cases/local-context.js';
import { campaignTokens } from './campaign-tokens.js';
import { waitFor } from './wait-for.js';

/** Tokens a demo case asks about: a few are enough to reach every provider holding the campaign. */
const CASE_TOKENS = 8;
const CASE_TIMEOUT_MS = 30_000;

export interface DemoCase { id: string; asked: string[]; answeredBy: string[]; status: string; answersVerified: number }

async function caseClient(node: RunningNode, at: Peer): Promise<CaseClient> {
  return new CaseClient({ id: node.config.id, key: node.key.privateKey }, await readEncryptionKey(join(node.config.dir, ENC_KEY_FILE)), node.membership, at);
}

/**
 * `cordon case open` / `case respond` / `case show`, as the providers would:
 * the opener asks about the campaign's tokens at one consortium node (cases
 * live where they are opened); every provider asked answers with signed
 * context from its own local records (encrypted to the opener); the opener
 * reads the answers and checks their signatures.
 */
export async function runDemoCase(opener: RunningNode, others: readonly RunningNode[], at: Peer, campaignId: string): Promise<DemoCase> {
  const tokens = await campaignTokens(opener, campaignId, CASE_TOKENS);
  const mine = await caseClient(opener, at);
  try {
    const { caseId } = await mine.open({ epoch: opener.membership.manifest.policy.token_epoch, tokens },
      `Campaign ${campaignId}: accounts sharing payment instruments and network ranges with ours; what do you see behind these tokens?`);
    const answeredBy: string[] = [];
    const asked: string[] = [];
    for (const other of others) {
      const client = await caseClient(other, at);
      try {
        const summary = (await client.list()).find((c) => c.caseId === caseId);
        if (!summary) continue;
        asked.push(other.config.id);
        const local = await localContext(other.db.sql, summary.ownRecordIds);
        await client.answer(caseId, summary.opener, { linked_accounts: local?.linked_accounts ?? 0, labels: local?.labels ?? [], ...(local?.first_seen ? { first_seen: local.first_seen } : {}) });
        answeredBy.push(other.config.id);
      } finally {
        client.closeChannel();
      }
    }
    const read = await waitFor(`the answers to case ${caseId}`, CASE_TIMEOUT_MS, async () => {
      const r = await mine.read(caseId);
      return r.answers.length >= answeredBy.length ? r : undefined;
    });
    return { id: caseId, asked, answeredBy, status: CaseStatus[read.summary.status]?.toLowerCase() ?? 'unknown', answersVerified: read.answers.length };
  } finally {
    mine.closeChannel();
  }
}
