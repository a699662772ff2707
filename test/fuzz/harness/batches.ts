import { create, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { BatchSchema, RecordKind, RecordSchema, RetractionSchema, TemplateSignatureSchema, TokenKind, TokenSchema } from '../../../src/gen/cordon/v1/common_pb.js';

/** The clock fuzz targets pretend it is, so created_ms can sit inside or outside the skew window on purpose. */
export const FUZZ_NOW = 1_750_000_000_000;

const DAY_MS = 86_400_000;
const recordId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,16}$/);
const label = fc.stringMatching(/^[a-z0-9_.:-]{1,12}$/);
const token = fc.record({ kind: fc.constantFrom(TokenKind.EMAIL, TokenKind.PHONE, TokenKind.IP_PREFIX, TokenKind.PAYMENT, TokenKind.DEVICE, TokenKind.ASN), value: fc.uint8Array({ minLength: 32, maxLength: 32 }) });

const record = fc.record({
  id: recordId,
  template: fc.boolean(),
  tokens: fc.array(token, { minLength: 1, maxLength: 4 }),
  minhash: fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 8 }),
  bands: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { maxLength: 3 }),
  labels: fc.array(label, { maxLength: 3 }),
  score: fc.double({ min: 0, max: 1, noNaN: true }),
  ageDays: fc.nat({ max: 30 }),
}).map((r) => create(RecordSchema, {
  recordId: r.id,
  epoch: 1,
  kind: r.template ? RecordKind.TEMPLATE : RecordKind.ACCOUNT,
  tokens: r.template ? [] : r.tokens.map((t) => create(TokenSchema, t)),
  ...(r.template ? { template: create(TemplateSignatureSchema, { minhash: r.minhash, bands: r.bands }) } : {}),
  labels: r.labels,
  score: r.score,
  firstSeenMs: BigInt(FUZZ_NOW - (r.ageDays + 1) * DAY_MS),
  lastSeenMs: BigInt(FUZZ_NOW - r.ageDays * DAY_MS),
  expiresMs: BigInt(FUZZ_NOW + 90 * DAY_MS),
}));

/**
 * Serialized cordon.v1.Batch messages that pass validation (unique record ids
 * aside: duplicates are left in on purpose, a case the rules must refuse), for
 * `providerId`, with 1–4 records and 0–2 retractions.
 */
export function validBatchBytes(providerId: fc.Arbitrary<string> = fc.constant('p1')): fc.Arbitrary<Uint8Array> {
  return fc.record({
    providerId,
    seq: fc.bigInt({ min: 1n, max: 1n << 40n }),
    prevDigest: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    skewMs: fc.integer({ min: -60_000, max: 60_000 }),
    records: fc.array(record, { minLength: 1, maxLength: 4 }),
    retractions: fc.array(fc.record({ recordId, reason: fc.string({ maxLength: 20 }) }), { maxLength: 2 }),
  }).map((b) => toBinary(BatchSchema, create(BatchSchema, {
    providerId: b.providerId, seq: b.seq, prevDigest: b.prevDigest, createdMs: BigInt(FUZZ_NOW + b.skewMs),
    records: b.records, retractions: b.retractions.map((r) => create(RetractionSchema, r)),
  })));
}
