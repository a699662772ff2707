import { create } from '@bufbuild/protobuf';
import type { Sql } from 'postgres';
import { SignedBatchSchema } from '../../gen/cordon/v1/common_pb.js';
import { PublishOutcome } from '../../gen/cordon/v1/federation_pb.js';
import { CordonError } from '../../errors.js';
import { outboxFrom, setAcked, type OutboxBatch } from '../../store/outbox-store.js';
import { OutOfSequenceError, type PeerClient } from '../client/peer-client.js';

/** Publications in flight to one node: overlaps our send with its commit of the previous batch. */
export const DELIVERY_WINDOW = 4;
/** Outbox rows read per page (each up to ~1 MB). */
const PAGE = 32;
/** Restarts after gap answers before giving up for this round. */
const MAX_RESYNCS = 5;

export interface DeliveryResult { consortiumId: string; headSeq: bigint; sent: number; duplicates: number }

/**
 * Brings one consortium node up to the provider's outbox head: asks for the
 * node's head of our chain, then sends every later batch in order. A gap
 * answer (the node lost or never had some batches) restarts from the head
 * the node reports. Each acknowledgement means the node has committed.
 * `onBatch` hears of each acknowledged batch, with `alreadyHeld` when the
 * node answered that it held it already.
 */
export async function deliverTo(sql: Sql, providerId: string, client: PeerClient, onBatch?: (b: OutboxBatch, alreadyHeld: boolean) => void): Promise<DeliveryResult> {
  const heads = await client.getHeads();
  let next = (heads.heads.find((h) => h.providerId === providerId)?.seq ?? 0n) + 1n;
  let sent = 0;
  let duplicates = 0;
  let resyncs = 0;
  for (;;) {
    const page = await outboxFrom(sql, next, PAGE);
    if (page.length === 0) break;
    try {
      // Every call's failure is caught here, so none is left unhandled while we wait on others.
      let failure: unknown;
      const inFlight: Promise<void>[] = [];
      for (const b of page) {
        const call = client.publish(create(SignedBatchSchema, { batch: b.batch, signature: b.signature })).then(
          (res) => {
            const held = res.outcome === PublishOutcome.DUPLICATE;
            if (held) duplicates++;
            else sent++;
            onBatch?.(b, held);
          },
          (err: unknown) => {
            failure ??= err;
          },
        );
        inFlight.push(call);
        if (inFlight.length >= DELIVERY_WINDOW) await inFlight.shift();
        if (failure) break;
      }
      await Promise.all(inFlight);
      if (failure) throw failure;
      next = page[page.length - 1]!.seq + 1n;
      await setAcked(sql, client.peer.id, next - 1n);
    } catch (err) {
      if (!(err instanceof OutOfSequenceError) || ++resyncs > MAX_RESYNCS) throw err;
      if (err.headSeq + 1n > next + BigInt(page.length)) {
        throw new CordonError('INTERNAL', `${client.peer.id} reports head ${err.headSeq} beyond our outbox; refusing to continue`);
      }
      next = err.headSeq + 1n;
    }
  }
  return { consortiumId: client.peer.id, headSeq: next - 1n, sent, duplicates };
}
