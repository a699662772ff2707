import { readSuspectsFile } from '../fingerprint/ingest/read-suspects.js';
import { tokenizeSuspects } from '../fingerprint/ingest/tokenize-suspects.js';
import { DEFAULT_MIN_ACCOUNTS } from '../fingerprint/template/miner.js';
import type { RunningNode } from '../federation/node/start-node.js';
import { appendToChain } from '../federation/provider/outbox.js';
import { loadTokenizer } from '../federation/provider/tokenizer.js';
import { insertLocalRecords } from '../store/local-records-store.js';

/**
 * `cordon publish --raw` on a running provider node: tokenize the suspects
 * (raw identifiers stay in the node's local_records), chain and sign the
 * batch, deliver it. Returns when the consortium acknowledged it.
 */

/**
 * Prompts a template needs before the demo shares it. The detector keeps one
 * sample prompt per template per suspect (its evidence), so a template's
 * prompts at a provider count the suspects that used it; the demo's planted
 * campaign has 2–3 accounts per provider and never reaches a node's default
 * of DEFAULT_MIN_PROMPTS (10). The demo asks for as many prompts as accounts:
 * the privacy rule — a skeleton leaves only once seen from DEFAULT_MIN_ACCOUNTS
 * (3) distinct accounts — is unchanged.
 */
export const DEMO_TEMPLATE_MIN_PROMPTS = DEFAULT_MIN_ACCOUNTS;

export interface PublishedSuspects { records: number; tokens: number; templates: number; prompts: number }

export async function publishSuspects(node: RunningNode, suspectsFile: string): Promise<PublishedSuspects> {
  const rows = await readSuspectsFile(suspectsFile);
  const tokenizer = await loadTokenizer(node.config, node.membership);
  const result = await tokenizeSuspects(rows, { ...tokenizer, miner: { minPrompts: DEMO_TEMPLATE_MIN_PROMPTS } }).finally(() => tokenizer.close());
  if (result.records.length > 0) {
    await appendToChain(node.db.sql, node.config.id, node.key.privateKey, { records: result.records, retractions: [] }, { alsoInTransaction: (tx) => insertLocalRecords(tx, result.local) });
    await node.flush();
  }
  return { records: result.records.length, tokens: result.counts.tokens, templates: result.counts.templates, prompts: result.counts.prompts };
}
