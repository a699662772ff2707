import type { Batch, Record as BatchRecord } from '../../gen/cordon/v1/common_pb.js';
import { BinaryCopyWriter } from '../../store/copy-binary.js';
import { TOKEN_BYTES } from './limits.js';

/**
 * Encodes a batch's records as rows of the `records` table (binary COPY) from a
 * decoded Batch: the reference that batch-wire.ts (the single-pass decoder on the
 * hot path) is tested against, and the encoder benchmarks use for their baseline.
 * Tokens pack as 33-byte entries (kind byte, then the token) in one bytea, so
 * a record is one row however many tokens it has.
 */
export function packTokens(record: BatchRecord): Buffer {
  const out = Buffer.allocUnsafe(record.tokens.length * (TOKEN_BYTES + 1));
  let pos = 0;
  for (const t of record.tokens) {
    out[pos] = t.kind;
    out.set(t.value, pos + 1);
    pos += TOKEN_BYTES + 1;
  }
  return out;
}

function packMinhash(values: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeUInt32BE(values[i]! >>> 0, i * 4);
  return out;
}

export function recordRows(batch: Batch): Buffer {
  const w = new BinaryCopyWriter(batch.records.length * 300 + 1024);
  const provider = { t: 'text', v: batch.providerId } as const;
  const seq = { t: 'int8', v: batch.seq } as const;
  for (const r of batch.records) {
    const template = r.template && r.template.minhash.length > 0 ? r.template : undefined;
    w.row([
      provider,
      { t: 'text', v: r.recordId },
      seq,
      { t: 'int4', v: r.epoch },
      { t: 'int2', v: r.kind },
      { t: 'bytea', v: packTokens(r) },
      template ? { t: 'bytea', v: packMinhash(template.minhash) } : null,
      template ? { t: 'bytea', v: Buffer.concat(template.bands) } : null,
      { t: 'text[]', v: r.labels },
      { t: 'float4', v: r.score },
      { t: 'timestamptz', ms: Number(r.firstSeenMs) },
      { t: 'timestamptz', ms: Number(r.lastSeenMs) },
      { t: 'timestamptz', ms: Number(r.expiresMs) },
    ]);
  }
  return w.finish();
}
