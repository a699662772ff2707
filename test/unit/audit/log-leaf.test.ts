import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { LogLeafSchema } from '../../../src/gen/cordon/v1/log_pb.js';
import { BATCH_LEAF_KIND, batchLeafEntry, batchOfLeaf, decodeLogLeaf, encodeLogLeaf } from '../../../src/audit/log-leaf.js';
import { seededRandom } from '../../support/seeded-random.js';

describe('LogLeaf encoding', () => {
  it('is byte-identical to the protobuf encoder, including omitted defaults and multi-byte lengths', () => {
    const rand = seededRandom(7);
    const cases = [
      { kind: 'batch', ref: '', entry: new Uint8Array(0) },
      { kind: 'filed_report', ref: 'ä'.repeat(100), entry: new Uint8Array(127) },
      { kind: 'psi_summary', ref: 'r', entry: new Uint8Array(128) },
      { kind: 'x', ref: 'y'.repeat(512), entry: new Uint8Array(70_000) },
    ];
    for (let i = 0; i < 50; i++) cases.push({ kind: 'k' + i, ref: `ref ${i}`, entry: Uint8Array.from({ length: Math.floor(rand() * 20_000) }, () => Math.floor(rand() * 256)) });
    for (const c of cases) {
      const want = toBinary(LogLeafSchema, create(LogLeafSchema, { version: 1, kind: c.kind, ref: c.ref, body: c.entry }));
      expect(Buffer.from(encodeLogLeaf(c)).equals(Buffer.from(want))).toBe(true);
      const back = decodeLogLeaf(encodeLogLeaf(c), 'test');
      expect(back.kind).toBe(c.kind);
      expect(back.ref).toBe(c.ref);
      expect(Buffer.from(back.body).equals(Buffer.from(c.entry))).toBe(true);
    }
  });

  it('round-trips a batch leaf and refuses unknown versions and garbage', () => {
    const fields = { providerId: 'p1', seq: 5n, digest: new Uint8Array(32).fill(3), signature: 'eyJ..sig', recordCount: 10, retractionCount: 2 };
    const entry = batchLeafEntry(fields);
    expect(entry.kind).toBe(BATCH_LEAF_KIND);
    expect(entry.ref).toBe('p1#5');
    expect(batchOfLeaf(decodeLogLeaf(encodeLogLeaf(entry), 'test'), 'test')).toEqual(fields);
    expect(batchOfLeaf(decodeLogLeaf(encodeLogLeaf({ kind: 'other', ref: '', entry: new Uint8Array(1) }), 't'), 't')).toBeUndefined();
    const v2 = toBinary(LogLeafSchema, create(LogLeafSchema, { version: 2, kind: 'batch' }));
    expect(() => decodeLogLeaf(v2, 'leaf 9')).toThrow(/leaf 9: LogLeaf version 2 is not supported/);
    expect(() => decodeLogLeaf(Uint8Array.of(0x0a, 0xff), 'leaf 3')).toThrow(/leaf 3: not a LogLeaf/);
  });
});
