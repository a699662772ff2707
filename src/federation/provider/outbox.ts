import type { KeyObject } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import type { Record as BatchRecord, Retraction } from '../../gen/cordon/v1/common_pb.js';
import { insertOutbox, lockOutbox, outboxHead, type OutboxBatch } from '../../store/outbox-store.js';
import { GENESIS_DIGEST } from '../chain/limits.js';
import { buildSignedBatches } from './build-batch.js';

/**
 * Appends records to the provider's own chain. The batches are signed and
 * committed to the outbox before anything is sent, so after a crash the
 * provider resends the very same bytes and never signs a second, different
 * batch for a sequence number (which the federation would treat as
 * equivocation).
 */
export async function appendToChain(
  sql: Sql,
  providerId: string,
  key: KeyObject,
  items: { records: BatchRecord[]; retractions: Retraction[] },
  opts: { batchRecords?: number; alsoInTransaction?: (tx: TransactionSql) => Promise<void> } = {},
): Promise<OutboxBatch[]> {
  return sql.begin(async (tx) => {
    await lockOutbox(tx);
    const head = (await outboxHead(tx)) ?? { seq: 0n, digest: GENESIS_DIGEST };
    const batches = buildSignedBatches(providerId, key, head, items, opts);
    // Insert in slices: each row carries up to ~1 MB of batch bytes.
    for (let i = 0; i < batches.length; i += 16) await insertOutbox(tx, batches.slice(i, i + 16));
    // The provider's local bookkeeping commits with the chain, or neither does.
    await opts.alsoInTransaction?.(tx);
    return batches;
  });
}
