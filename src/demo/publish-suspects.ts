import { readSuspectsFile } from '../fingerprint/ingest/read-suspects.js';
import { tokenizeSuspects } from '../fingerprint/ingest/tokenize-suspects.js';
import type { RunningNode } from '../federation/node/start-node.js';
import { appendToChain } from '../federation/provider/outbox.js';
import { loadTokenizer } from '../federation/provider/tokenizer.js';
import { insertLocalRecords } from '../store/local-records-store.js';

/**
 * `cordon publish --raw` on a running provider node: tokenize the suspects
 * (raw identifiers stay in the node's local_records), chain and sign the
 * batch, deliver it. Returns when the consortium acknowledged it.
 */
export async function publishSuspects(node: RunningNode, suspectsFile: string): Promise<{ records: number; tokens: number; templates: number }> {
  const rows = await readSuspectsFile(suspectsFile);
  const tokenizer = await loadTokenizer(node.config, node.membership);
  const result = await tokenizeSuspects(rows, tokenizer).finally(() => tokenizer.close());
  if (result.records.length > 0) {
    await appendToChain(node.db.sql, node.config.id, node.key.privateKey, { records: result.records, retractions: [] }, { alsoInTransaction: (tx) => insertLocalRecords(tx, result.local) });
    await node.flush();
  }
  return { records: result.records.length, tokens: result.counts.tokens, templates: result.counts.templates };
}
