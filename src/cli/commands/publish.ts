import { errorMessage } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import { readNodeKey } from '../../crypto/keys.js';
import { PeerClient } from '../../federation/client/peer-client.js';
import { Membership } from '../../federation/membership/membership.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import { deliverTo } from '../../federation/provider/deliver.js';
import { appendToChain } from '../../federation/provider/outbox.js';
import { readRecordsFile } from '../../federation/provider/records-file.js';
import { openDatabase } from '../../store/database.js';
import { CordonError } from '../../errors.js';
import { parseCommandArgs, requireOption, type Command } from '../command.js';

export const publish: Command = {
  name: 'publish',
  summary: 'publish records (JSON lines) as signed batches to the consortium',
  help: `Usage: cordon publish FILE [--node DIR]

FILE holds JSON lines of tokenized records, or retractions:
  {"record_id":"r1","kind":"account","epoch":1,"tokens":[{"kind":"email","value":"<64 hex>"}],
   "labels":["template_reuse"],"score":0.9,"first_seen":"2026-11-01T00:00:00Z",
   "last_seen":"2026-11-20T00:00:00Z","expires":"2027-02-01T00:00:00Z"}
  {"retract":"r1","reason":"false positive"}
Every line is checked first; one bad line (reported with its line number) publishes nothing.
The batches are signed and kept in the provider's outbox, then sent to every consortium node
(or those in publish_to). Exit 0 once every node acknowledged; 1 if some node could not be
reached (the batches stay in the outbox and a running provider node resends them).`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('publish', argv, { node: { type: 'string' }, raw: { type: 'boolean' } });
    if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', 'needs exactly one FILE (see cordon publish --help)');
    const file = positionals[0]!;
    const config = await loadConfig(values.node ?? process.env.CORDON_NODE ?? '.');
    if (config.role !== 'provider') throw new CordonError('INVALID_INPUT', `node '${config.id}' is a ${config.role}; only providers publish`);
    const items = await readRecordsFile(file);
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);
    const db = await openDatabase({ ...(config.database_url ? { databaseUrl: config.database_url } : {}), dataDir: config.data_dir });
    try {
      const batches = await appendToChain(db.sql, config.id, key.privateKey, items);
      io.out(`signed ${batches.length} batch(es), seq ${batches[0]!.seq}–${batches[batches.length - 1]!.seq}: ${items.records.length} records, ${items.retractions.length} retractions`);
      let failed = 0;
      for (const peer of consortiumPeers(membership, config.id, config.publish_to)) {
        const client = new PeerClient({ id: config.id, key: key.privateKey }, peer);
        try {
          const r = await deliverTo(db.sql, config.id, client);
          io.out(`${peer.id}: head seq ${r.headSeq} (${r.sent} sent, ${r.duplicates} already held)`);
        } catch (err) {
          failed++;
          io.err(`${peer.id}: not delivered: ${errorMessage(err)}`);
        } finally {
          client.close();
        }
      }
      return failed === 0 ? 0 : 1;
    } finally {
      await db.close({ stopServer: true });
    }
  },
};
