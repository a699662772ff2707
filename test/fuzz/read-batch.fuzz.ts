import { fromBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { decodeBatchForCommit } from '../../src/federation/chain/batch-wire.js';
import { BatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { readBatch } from '../../src/match/read-batch.js';
import { validBatchBytes } from './harness/batches.js';
import { mutatedBytes } from './harness/mutate.js';
import { invariant, outcomeOf } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * The matcher's own Batch reader (match/read-batch.ts) reads bytes that were
 * validated at acceptance, but it runs on whatever the database hands it
 * (a restored backup, a replica of a buggy peer): any bytes must give a
 * result or its INTERNAL error naming the byte, never a RangeError or a
 * read past the buffer. On bytes the acceptance path would have stored,
 * the fields the matcher uses must agree with the generated decoder.
 * On a valid batch cut short, the generated decoder is an exact oracle (the
 * wire types are intact; only lengths overrun): the reader must refuse
 * exactly when it does, so a reader that silently clamps an overrunning
 * length to its buffer is caught.
 */
export default defineTarget({
  name: 'read-batch',
  covers: "the matcher's Batch reader (src/match/read-batch.ts)",
  async prepare() {
    return prepared({
      arbitrary: fc.oneof(
        { weight: 4, arbitrary: mutatedBytes(validBatchBytes(), 5).map((bytes) => ({ bytes, cut: false })) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ bytes, cut: false })) },
        { weight: 2, arbitrary: fc.tuple(validBatchBytes(), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })).map(([b, at]) => ({ bytes: b.subarray(0, Math.floor(at * b.length)), cut: true })) },
      ),
      check({ bytes, cut }) {
        if (cut) {
          const reader = outcomeOf(() => readBatch(bytes), { kind: 'cordon', codes: ['INTERNAL'] });
          let reference = 'accepted';
          try {
            fromBinary(BatchSchema, bytes);
          } catch {
            reference = 'refused';
          }
          invariant((reader === 'accepted') === (reference === 'accepted'), `a batch cut at byte ${bytes.length}: the reader ${reader === 'accepted' ? 'accepted' : 'refused'} it, the generated decoder ${reference} it`);
          return reader;
        }
        return outcomeOf(() => readBatch(bytes), { kind: 'cordon', codes: ['INTERNAL'] }, (read) => {
          // The fields must agree on what acceptance would have stored; beyond that the generated
          // decoder is no oracle (it reads a scalar sent with the wrong wire type as its declared type,
          // and desynchronizes, where the wire format says to skip it by its wire type).
          try {
            decodeBatchForCommit(bytes, 'fuzz', { checkSkew: false });
          } catch {
            return;
          }
          const reference = fromBinary(BatchSchema, bytes);
          invariant(read.records.length === reference.records.length, `read ${read.records.length} records, the generated decoder ${reference.records.length}`);
          invariant(read.retractions.length === reference.retractions.length, 'retraction counts differ from the generated decoder');
          for (const [i, r] of reference.records.entries()) {
            const got = read.records[i]!;
            invariant(got.recordId === r.recordId && got.epoch === r.epoch && got.kind === r.kind, `records[${i}] id/epoch/kind differ from the generated decoder`);
            invariant(got.tokens.length === r.tokens.length && got.tokens.every((t, j) => t.kind === r.tokens[j]!.kind && Buffer.from(t.token).equals(r.tokens[j]!.value)), `records[${i}].tokens differ from the generated decoder`);
            invariant(got.minhash.length === (r.template?.minhash.length ?? 0), `records[${i}].template.minhash differs from the generated decoder`);
          }
        });
      },
    });
  },
});
