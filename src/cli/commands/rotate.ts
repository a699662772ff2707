import { create } from '@bufbuild/protobuf';
import { RecordKind, RecordSchema, RetractionSchema } from '../../gen/cordon/v1/common_pb.js';
import { readNodeKey } from '../../crypto/keys.js';
import { CordonError } from '../../errors.js';
import { newOpaqueRecordId, templateRecord, tokensFor, type LocalRecord } from '../../fingerprint/ingest/tokenize-suspects.js';
import { Membership } from '../../federation/membership/membership.js';
import { appendToChain } from '../../federation/provider/outbox.js';
import { deliverToAll } from '../../federation/provider/publish-all.js';
import { loadTokenizer } from '../../federation/provider/tokenizer.js';
import { openNodeDatabase } from '../../store/database.js';
import { insertLocalRecords, markRetracted, recordsToRotate } from '../../store/local-records-store.js';
import { integerOption, parseCommandArgs, type Command, loadNodeConfig } from '../command.js';
import { describeRun, printDeliveries, summarizeDelivery } from '../delivery.js';
import { QUIET_HELP, QUIET_OPTION, startProgress } from '../progress.js';

export const rotate: Command = {
  name: 'rotate',
  summary: "re-tokenize this provider's active records for a new epoch",
  help: `Usage: cordon rotate [--epoch N] [--node DIR] [--json] [--quiet]

Tokens are only comparable within an epoch. After the consortium moves to a new epoch (the
manifest's policy.token_epoch, or --epoch N), this re-tokenizes every record of this provider
that is still in force (not retracted, not expired) from the normalized identifiers kept
locally, publishes the new records, and retracts the old ones in the same batches.

Options:
  --epoch N         the epoch to move to (default: the manifest's policy.token_epoch)
  --node DIR        the provider's node (default: $CORDON_NODE, else the current directory)
  --json            print the summary as one JSON object (nodes: [] when nothing was rotated)
${QUIET_HELP}`,
  async run(argv, io) {
    const { values } = parseCommandArgs('rotate', argv, { node: { type: 'string' }, epoch: { type: 'string' }, json: { type: 'boolean' }, ...QUIET_OPTION }, false);
    const config = await loadNodeConfig(values);
    if (config.role !== 'provider') throw new CordonError('INVALID_INPUT', `node '${config.id}' is a ${config.role}; only providers rotate`);
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);
    const epoch = integerOption('rotate', values, 'epoch', membership.manifest.policy.token_epoch, 1);
    const tokenizer = await loadTokenizer(config, membership, epoch);
    const db = await openNodeDatabase(config);
    try {
      const old = await recordsToRotate(db.sql, epoch);
      if (old.length === 0) {
        if (values.json) io.out(JSON.stringify({ epoch, rotated: 0, batches: 0, nodes: [] }, null, 2));
        else io.out(`nothing to rotate: every active record is already in epoch ${epoch}`);
        return 0;
      }
      const records = [];
      const fresh: LocalRecord[] = [];
      const tokenizing = startProgress(io, values, { label: 'rotate: re-tokenizing', unit: 'records', total: old.length });
      for (const r of old) {
        tokenizing.update(fresh.length);
        const recordId = newOpaqueRecordId();
        const meta = { labels: r.labels, score: r.score, firstSeenMs: r.firstSeenMs, lastSeenMs: r.lastSeenMs, expiresMs: r.expiresMs };
        if (r.kind === 'template') {
          records.push(templateRecord(recordId, epoch, tokenizer.templateSigner, r.skeleton!, meta));
        } else {
          records.push(create(RecordSchema, {
            recordId, epoch, kind: RecordKind.ACCOUNT, tokens: await tokensFor(tokenizer.prf, epoch, r.normalized ?? []), labels: r.labels, score: r.score,
            firstSeenMs: BigInt(r.firstSeenMs), lastSeenMs: BigInt(r.lastSeenMs), expiresMs: BigInt(r.expiresMs),
          }));
        }
        fresh.push({ ...r, recordId, epoch });
      }
      tokenizing.end();
      const retractions = old.map((r) => create(RetractionSchema, { recordId: r.recordId, reason: `rotated to epoch ${epoch}` }));
      const batches = await appendToChain(db.sql, config.id, key.privateKey, { records, retractions }, {
        alsoInTransaction: async (tx) => {
          await insertLocalRecords(tx, fresh);
          await markRetracted(tx, old.map((r) => r.recordId));
        },
      });
      const run = { first: batches[0]!.seq, last: batches[batches.length - 1]!.seq };
      if (!values.json) io.out(`rotated ${old.length} records to epoch ${epoch}: ${describeRun(run)}`);
      const delivering = startProgress(io, values, { label: 'rotate: delivering', unit: 'batches' });
      let acknowledged = 0;
      const deliveries = await deliverToAll(db.sql, { id: config.id, key: key.privateKey }, membership, config.publish_to, () => delivering.update(++acknowledged));
      delivering.end();
      const summaries = deliveries.map((d) => summarizeDelivery(run, d));
      if (values.json) io.out(JSON.stringify({ epoch, rotated: old.length, batches: batches.length, first_seq: Number(run.first), last_seq: Number(run.last), nodes: summaries }, null, 2));
      else printDeliveries(io, run, summaries);
      const failed = summaries.filter((s) => s.error !== undefined).length;
      return failed === 0 ? 0 : 1;
    } finally {
      tokenizer.close();
      await db.close({ stopServer: true });
    }
  },
};
