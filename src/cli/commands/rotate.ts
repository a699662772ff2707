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

export const rotate: Command = {
  name: 'rotate',
  summary: "re-tokenize this provider's active records for a new epoch",
  help: `Usage: cordon rotate [--epoch N] [--node DIR]

Tokens are only comparable within an epoch. After the consortium moves to a new epoch (the
manifest's policy.token_epoch, or --epoch N), this re-tokenizes every record of this provider
that is still in force (not retracted, not expired) from the normalized identifiers kept
locally, publishes the new records, and retracts the old ones in the same batches.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('rotate', argv, { node: { type: 'string' }, epoch: { type: 'string' } }, false);
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
        io.out(`nothing to rotate: every active record is already in epoch ${epoch}`);
        return 0;
      }
      const records = [];
      const fresh: LocalRecord[] = [];
      for (const r of old) {
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
      const retractions = old.map((r) => create(RetractionSchema, { recordId: r.recordId, reason: `rotated to epoch ${epoch}` }));
      const batches = await appendToChain(db.sql, config.id, key.privateKey, { records, retractions }, {
        alsoInTransaction: async (tx) => {
          await insertLocalRecords(tx, fresh);
          await markRetracted(tx, old.map((r) => r.recordId));
        },
      });
      io.out(`rotated ${old.length} records to epoch ${epoch} in ${batches.length} batch(es)`);
      const failed = await deliverToAll(db.sql, { id: config.id, key: key.privateKey }, membership, config.publish_to, io);
      return failed === 0 ? 0 : 1;
    } finally {
      tokenizer.close();
      await db.close({ stopServer: true });
    }
  },
};
