import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { BatchSchema, RecordKind, RecordSchema, RetractionSchema, TemplateSignatureSchema, TokenKind, TokenSchema } from '../../../src/gen/cordon/v1/common_pb.js';
import { syntheticRecords } from '../../../src/demo/synthetic-records.js';
import { readBatch } from '../../../src/match/read-batch.js';

describe("the matcher's batch reader", () => {
  it('reads what the generated decoder reads, for the fields matching uses', () => {
    const records = [
      ...syntheticRecords(50, 'r'),
      create(RecordSchema, {
        recordId: 'tmpl-é', epoch: 7, kind: RecordKind.TEMPLATE, expiresMs: 1_900_000_000_000n, labels: ['x'], score: 0.5,
        tokens: [create(TokenSchema, { kind: TokenKind.ASN, value: new Uint8Array(32).fill(3) })],
        template: create(TemplateSignatureSchema, { bands: [new Uint8Array(16).fill(1), new Uint8Array(16).fill(2)], minhash: [0, 1, 0xffffffff, 123456789] }),
      }),
    ];
    const bytes = toBinary(BatchSchema, create(BatchSchema, { providerId: 'p1', seq: 9n, createdMs: 5n, records, retractions: [create(RetractionSchema, { recordId: 'old-1', reason: 'fp' })] }));
    const read = readBatch(bytes);
    expect(read.retractions).toEqual(['old-1']);
    expect(read.records).toHaveLength(records.length);
    for (const [i, r] of records.entries()) {
      const got = read.records[i]!;
      expect(got.recordId).toBe(r.recordId);
      expect(got.epoch).toBe(r.epoch);
      expect(got.kind).toBe(r.kind);
      expect(got.expiresMs).toBe(Number(r.expiresMs));
      expect(got.tokens.map((t) => [t.kind, Buffer.from(t.token).toString('hex')])).toEqual(r.tokens.map((t) => [t.kind, Buffer.from(t.value).toString('hex')]));
      expect(got.minhash).toEqual(r.template?.minhash ?? []);
      expect(got.bands.map((b) => Buffer.from(b).toString('hex'))).toEqual((r.template?.bands ?? []).map((b) => Buffer.from(b).toString('hex')));
    }
  });

  it('refuses truncated bytes instead of reading past them', () => {
    const bytes = toBinary(BatchSchema, create(BatchSchema, { providerId: 'p1', records: syntheticRecords(2, 'r') }));
    expect(() => readBatch(bytes.subarray(0, bytes.length - 7))).toThrow(/not a valid cordon.v1.Batch/);
  });
});
