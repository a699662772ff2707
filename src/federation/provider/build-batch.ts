import { create, toBinary } from '@bufbuild/protobuf';
import type { KeyObject } from 'node:crypto';
import { BatchSchema, type Record as BatchRecord, type Retraction } from '../../gen/cordon/v1/common_pb.js';
import { signDetached } from '../../crypto/detached-jws.js';
import { BATCH_SIGNATURE_TYP, batchDigest } from '../chain/digest.js';
import { MAX_RECORDS_PER_BATCH } from '../chain/limits.js';
import type { OutboxBatch } from '../../store/outbox-store.js';

/** Records per batch a provider creates by default: large enough to amortize a signature and a commit. */
export const DEFAULT_BATCH_RECORDS = 5_000;

export interface ChainPosition { seq: bigint; digest: Uint8Array }

/**
 * Cuts records and retractions into consecutive signed batches on top of
 * `head` (pure: no I/O). Each batch is serialized once; the signature covers
 * exactly those bytes, which are what is stored and sent.
 */
export function buildSignedBatches(
  providerId: string,
  key: KeyObject,
  head: ChainPosition,
  items: { records: BatchRecord[]; retractions: Retraction[] },
  opts: { batchRecords?: number; now?: number } = {},
): OutboxBatch[] {
  const size = Math.min(opts.batchRecords ?? DEFAULT_BATCH_RECORDS, MAX_RECORDS_PER_BATCH);
  const out: OutboxBatch[] = [];
  let { seq, digest } = head;
  const total = Math.max(items.records.length, items.retractions.length);
  for (let i = 0; i < total; i += size) {
    seq += 1n;
    const batch = create(BatchSchema, {
      providerId,
      seq,
      prevDigest: digest,
      createdMs: BigInt(opts.now ?? Date.now()),
      records: items.records.slice(i, i + size),
      retractions: items.retractions.slice(i, i + size),
    });
    const bytes = toBinary(BatchSchema, batch);
    digest = batchDigest(bytes);
    out.push({ seq, digest, batch: bytes, signature: signDetached(bytes, key, providerId, BATCH_SIGNATURE_TYP), record_count: batch.records.length });
  }
  return out;
}
