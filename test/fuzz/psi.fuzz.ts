import fc from 'fast-check';
import { BlindingKey } from '../../src/investigate/psi/curve/blinding-key.js';
import { hashToCurve } from '../../src/investigate/psi/curve/hash-to-curve.js';
import { POINT_BYTES } from '../../src/investigate/psi/curve/points.js';
import { decodeSummary, encodeSummary, signSummary, verifySummarySignature } from '../../src/investigate/psi/protocol/summary.js';
import { PsiMode } from '../../src/gen/cordon/v1/psi_pb.js';
import { fuzzConsortium } from './harness/consortium.js';
import { mutatedBytes, mutatedText } from './harness/mutate.js';
import { invariant, outcomeOf } from './harness/outcome.js';
import { defineTarget, prepared } from './harness/target.js';

/**
 * What a PSI peer sends (investigate/psi): lists of curve points to be
 * blinded, and the signed session summary. Points: canonical and
 * non-canonical encodings, points of small order, the edges of the field,
 * real hash-to-curve points and random bytes. A list the check accepts must
 * blind without an error for every point (an OpenSSL failure midway would
 * leak how far it got), never to all-zero (a small-order point would match
 * every other), and blinding must commute (the protocol's correctness).
 * Summaries: real ones edited, with edited signatures.
 */
const EDGE_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p − 1
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0900000000000000000000000000000000000000000000000000000000000000', // the base point
  '0200000000000000000000000000000000000000000000000000000000000000', // on the twist
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

const DST = new TextEncoder().encode('cordon-fuzz-psi');
const point = fc.oneof(
  fc.constantFrom(...EDGE_POINTS),
  fc.string({ maxLength: 8 }).map((s) => hashToCurve([new TextEncoder().encode(s)], DST)),
  fc.uint8Array({ minLength: POINT_BYTES, maxLength: POINT_BYTES }),
);
const pointList = fc.oneof(
  { weight: 4, arbitrary: fc.array(point, { maxLength: 4 }).map((ps) => Uint8Array.from(ps.flatMap((p) => [...p]))) },
  { weight: 1, arbitrary: mutatedBytes(fc.array(point, { maxLength: 3 }).map((ps) => Uint8Array.from(ps.flatMap((p) => [...p]))), 2) },
);

type Input = { kind: 'points'; rows: Uint8Array; width: number } | { kind: 'summary'; bytes: Uint8Array; signature: string; signOver: 'received' | 'original' };

const SUMMARY = encodeSummary({ sessionId: new Uint8Array(16).fill(1), mode: PsiMode.BOTH, initiatorId: 'p1', responderId: 'p2', initiatorSetSize: 1000, responderSetSize: 2000, startedMs: 1_750_000_000_000, finishedMs: 1_750_000_060_000, elementKind: 'email' });

export default defineTarget<Input>({
  name: 'psi',
  covers: 'PSI points and session summaries (BlindingKey.blind, decodeSummary, verifySummarySignature)',
  async prepare() {
    const a = BlindingKey.generate();
    const b = BlindingKey.generate();
    const keys = fuzzConsortium().keys;
    const signature = signSummary(SUMMARY, keys.p2.privateKey, 'p2');
    return prepared({
      arbitrary: fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('points' as const), rows: pointList, width: fc.constantFrom(16, 32) }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('summary' as const), bytes: mutatedBytes(fc.constant(SUMMARY), 3), signature: mutatedText(fc.constant(signature), 2), signOver: fc.constantFrom('received' as const, 'original' as const) }) },
      ),
      check(input) {
        if (input.kind === 'summary') {
          const jws = input.signOver === 'received' ? signSummary(input.bytes, keys.p2.privateKey, 'p2') : input.signature;
          return outcomeOf(() => {
            verifySummarySignature(input.bytes, jws, 'p2', keys.p2.publicKey, 'fuzz summary');
            return decodeSummary(input.bytes, 'fuzz summary');
          }, { kind: 'cordon', codes: ['INVALID_INPUT', 'INVALID_SIGNATURE'] }, (s) => {
            invariant(s.initiatorId !== s.responderId && s.finishedMs >= s.startedMs, 'accepted a summary that breaks its own rules');
          });
        }
        const { rows, width } = input;
        return outcomeOf(() => a.blind(rows, width, 'fuzz list'), { kind: 'cordon', codes: ['INVALID_INPUT'] }, (blinded) => {
          const count = rows.length / POINT_BYTES;
          invariant(blinded.length === count * width, `blinded ${blinded.length} bytes for ${count} points of width ${width}`);
          const full = a.blind(rows, POINT_BYTES, 'fuzz list');
          for (let i = 0; i < count; i++) invariant(full.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES).some((x) => x !== 0), `point ${i} blinded to all-zero`);
          // a(b(P)) = b(a(P)): the two parties' doubly blinded values meet.
          const ab = a.blind(b.blind(rows, POINT_BYTES, 'b'), POINT_BYTES, 'ab');
          const ba = b.blind(full, POINT_BYTES, 'ba');
          invariant(Buffer.from(ab).equals(Buffer.from(ba)), 'blinding does not commute');
        });
      },
    });
  },
});
