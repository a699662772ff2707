import { fromBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { signDetached } from '../../src/crypto/detached-jws.js';
import { BATCH_SIGNATURE_TYP } from '../../src/federation/chain/digest.js';
import { verifySignedBatch } from '../../src/federation/chain/accept-batch.js';
import { batchDigest, sameBytes } from '../../src/federation/chain/digest.js';
import { validateBatch } from '../../src/federation/chain/validate-batch.js';
import { BatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { FUZZ_NOW, validBatchBytes } from './harness/batches.js';
import { fuzzConsortium, type MemberId } from './harness/consortium.js';
import { mutatedBytes, mutatedText } from './harness/mutate.js';
import { invariant, outcomeOf } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * The acceptance path's first step: a signed batch from a peer, verified and
 * decoded in one pass over the exact bytes (verifySignedBatch →
 * decodeBatchForCommit). The signer signs the mutated bytes themselves, so
 * hostile bytes reach the decoder instead of stopping at the signature.
 * Accepted batches must also be accepted by the reference path
 * (fromBinary → validateBatch) with the same counts, be the signer's own,
 * and carry the digest of the bytes received.
 */
type SignatureMode = 'sign-received' | 'sign-original' | 'mutate-signature' | 'arbitrary-string';

/** Mostly the active provider (so bytes get past the signature), and every member that may not publish, and a stranger. */
type Signer = MemberId | 'nobody';
const signers: Signer[] = ['p1', 'p1', 'p1', 'p1', 'p1', 'p2', 'p3', 'r1', 'c1', 'nobody'];

export default defineTarget({
  name: 'batch-accept',
  covers: 'protobuf Batch + detached batch JWS on the acceptance path (verifySignedBatch)',
  async prepare() {
    const consortium = fuzzConsortium();
    const membership = consortium.membership();
    const arbitrary = fc.record({
      original: validBatchBytes(fc.constantFrom('p1', 'p1', 'p1', 'p1', 'p2', 'c1', '', 'p1\u0000')),
      random: fc.uint8Array({ maxLength: 256 }),
      useRandom: fc.nat({ max: 9 }),
      signer: fc.constantFrom(...signers),
      mode: fc.constantFrom<SignatureMode>('sign-received', 'sign-received', 'sign-original', 'mutate-signature', 'arbitrary-string'),
      text: fc.string({ maxLength: 200 }),
      checkSkew: fc.boolean(),
    }).chain((c) => mutatedBytes(fc.constant(c.useRandom === 0 ? c.random : c.original)).map((bytes) => ({ ...c, bytes })))
      .chain((c) => mutatedText(fc.constant(signatureFor(c.original, c.signer)), 3).map((mutatedSignature) => ({ ...c, mutatedSignature })));

    function signatureFor(bytes: Uint8Array, signer: Signer): string {
      // A stranger signs with a key of its own making as far as the node can tell: p1's key under an unknown kid.
      const key = signer === 'nobody' ? consortium.keys.p1 : consortium.keys[signer];
      return signDetached(bytes, key.privateKey, signer, BATCH_SIGNATURE_TYP);
    }

    return prepared({
      arbitrary,
      check(c) {
        const signature =
          c.mode === 'sign-received' ? signatureFor(c.bytes, c.signer)
          : c.mode === 'sign-original' ? signatureFor(c.original, c.signer)
          : c.mode === 'mutate-signature' ? c.mutatedSignature
          : c.text;
        return outcomeOf(
          () => verifySignedBatch({ batch: c.bytes, signature }, membership, { checkSkew: c.checkSkew, now: FUZZ_NOW }),
          { kind: 'cordon', codes: ['INVALID_INPUT', 'INVALID_SIGNATURE', 'PERMISSION_DENIED'] },
          (v) => {
            invariant(v.batch.providerId === c.signer && c.signer === 'p1', `accepted a batch of '${v.batch.providerId}' signed as '${c.signer}'`);
            invariant(sameBytes(v.digest, batchDigest(c.bytes)), 'digest is not the digest of the bytes received');
            let reference;
            try {
              reference = fromBinary(BatchSchema, c.bytes);
              validateBatch(reference, 'reference', { checkSkew: c.checkSkew, now: FUZZ_NOW });
            } catch (err) {
              invariant(false, `the single-pass decoder accepted bytes the reference decoder refuses (${(err as Error).message})`);
              return;
            }
            invariant(reference.records.length === v.batch.recordCount && reference.retractions.length === v.batch.retractionCount, 'record or retraction counts differ from the reference decoder');
            invariant(reference.seq === v.batch.seq && reference.records.every((r, i) => r.recordId === v.batch.recordIds[i]), 'seq or record ids differ from the reference decoder');
          },
        );
      },
    });
  },
});
