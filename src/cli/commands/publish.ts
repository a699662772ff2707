import { readNodeKey } from '../../crypto/keys.js';
import { CordonError } from '../../errors.js';
import { readSuspectsFile } from '../../fingerprint/ingest/read-suspects.js';
import { tokenizeSuspects } from '../../fingerprint/ingest/tokenize-suspects.js';
import { Membership } from '../../federation/membership/membership.js';
import { appendToChain } from '../../federation/provider/outbox.js';
import { deliverToAll } from '../../federation/provider/publish-all.js';
import { readRecordsFile } from '../../federation/provider/records-file.js';
import { loadTokenizer } from '../../federation/provider/tokenizer.js';
import { openNodeDatabase } from '../../store/database.js';
import { insertLocalRecords } from '../../store/local-records-store.js';
import { parseCommandArgs, type Command, loadNodeConfig } from '../command.js';
import { describeRun, printDeliveries, summarizeDelivery } from '../delivery.js';
import { QUIET_HELP, QUIET_OPTION, startProgress } from '../progress.js';

/** Problems listed one by one before the rest are only counted. */
const LISTED_PROBLEMS = 20;

export const publish: Command = {
  name: 'publish',
  summary: 'publish records (or raw suspects with --raw) as signed batches to the consortium',
  help: `Usage: cordon publish FILE [--raw] [--node DIR] [--json] [--quiet]

Without --raw, FILE holds JSON lines of tokenized records, or retractions:
  {"record_id":"r1","kind":"account","epoch":1,"tokens":[{"kind":"email","value":"<64 hex>"}],
   "labels":["template_reuse"],"score":0.9,"first_seen":"2026-11-01T00:00:00Z",
   "last_seen":"2026-11-20T00:00:00Z","expires":"2027-02-01T00:00:00Z"}
  {"retract":"r1","reason":"false positive"}
Every line is checked first; one bad line (reported with its line number) publishes nothing.

With --raw, FILE holds suspects as \`cordon detect\` writes them (raw identifiers by kind, sample
prompts, labels, score, times). On this node, identifiers are normalized and turned into keyed
tokens for the consortium's current epoch; recurring prompt skeletons become keyed MinHash
signatures. Only tokens and signatures are published; raw values never leave the node. Values
that cannot be normalized are reported with their row and reason, counted, and not published.
The mapping from published records to account ids stays in this node's database.

The batches are signed and kept in the provider's outbox, then sent to every consortium node
(or those in publish_to). Exit 0 once every node acknowledged; 1 if some node could not be
reached (the batches stay in the outbox and a running provider node resends them).

The summary names the batches signed by this run (seq first–last) and, for each node, its head
seq afterwards, how many of this run's batches were sent now and how many it already held
(a running provider node may have delivered them first), and any batches left in the outbox
by earlier runs that went with them.

Options:
  --raw             FILE holds suspects, not tokenized records
  --node DIR        the provider's node (default: $CORDON_NODE, else the current directory)
  --json            print the summary as one JSON object
${QUIET_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('publish', argv, { node: { type: 'string' }, raw: { type: 'boolean' }, json: { type: 'boolean' }, ...QUIET_OPTION });
    if (positionals.length !== 1) throw new CordonError('INVALID_INPUT', 'needs exactly one FILE (see cordon publish --help)');
    const file = positionals[0]!;
    const config = await loadNodeConfig(values);
    if (config.role !== 'provider') throw new CordonError('INVALID_INPUT', `node '${config.id}' is a ${config.role}; only providers publish`);
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);

    let items;
    let tokenized: Record<string, unknown> | undefined;
    let local: Parameters<typeof insertLocalRecords>[1] = [];
    if (values.raw) {
      const rows = await readSuspectsFile(file);
      const tokenizer = await loadTokenizer(config, membership);
      const result = await tokenizeSuspects(rows, tokenizer).finally(() => tokenizer.close());
      for (const p of result.problems.slice(0, LISTED_PROBLEMS)) io.err(`${file}:${p.row}: ${p.field}: ${p.reason}`);
      if (result.problems.length > LISTED_PROBLEMS) io.err(`… and ${result.problems.length - LISTED_PROBLEMS} more problems`);
      const c = result.counts;
      tokenized = { ...c, epoch: tokenizer.epoch, problems: result.problems };
      if (!values.json) io.out(`${c.suspects} suspects: ${c.accounts} account records (${c.tokens} tokens, epoch ${tokenizer.epoch}), ${c.templates} template signatures from ${c.prompts} prompts; ${c.rejectedValues} values rejected, ${result.problems.length} problems`);
      if (result.records.length === 0) throw new CordonError('INVALID_INPUT', `${file}: nothing publishable`);
      items = { records: result.records, retractions: [] };
      local = result.local;
    } else {
      items = await readRecordsFile(file);
    }

    const db = await openNodeDatabase(config);
    try {
      const batches = await appendToChain(db.sql, config.id, key.privateKey, items, { alsoInTransaction: (tx) => insertLocalRecords(tx, local) });
      const run = { first: batches[0]!.seq, last: batches[batches.length - 1]!.seq };
      if (!values.json) io.out(`${describeRun(run)}: ${items.records.length} records, ${items.retractions.length} retractions`);
      const progress = startProgress(io, values, { label: 'publish: delivering', unit: 'batches' });
      let acknowledged = 0;
      const deliveries = await deliverToAll(db.sql, { id: config.id, key: key.privateKey }, membership, config.publish_to, () => progress.update(++acknowledged));
      progress.end();
      const summaries = deliveries.map((d) => summarizeDelivery(run, d));
      if (values.json) {
        io.out(JSON.stringify({
          batches: batches.length, first_seq: Number(run.first), last_seq: Number(run.last),
          records: items.records.length, retractions: items.retractions.length, ...(tokenized ? { tokenized } : {}), nodes: summaries,
        }, null, 2));
      } else printDeliveries(io, run, summaries);
      const failed = summaries.filter((s) => s.error !== undefined).length;
      return failed === 0 ? 0 : 1;
    } finally {
      await db.close({ stopServer: true });
    }
  },
};
