import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { RecordKind, RecordSchema, TokenKind, TokenSchema, type Record as BatchRecord } from '../gen/cordon/v1/common_pb.js';

/**
 * Tokenized account records with random tokens, for the demo and benchmarks
 * of the federation core (no identifiers behind them at all).
 */
export function syntheticRecords(n: number, prefix: string, tokensPerRecord = 5, now = Date.now()): BatchRecord[] {
  const kinds = [TokenKind.EMAIL, TokenKind.PHONE, TokenKind.IP_PREFIX, TokenKind.PAYMENT, TokenKind.DEVICE];
  const out: BatchRecord[] = new Array(n);
  // One draw from the CSPRNG for all tokens: a call per 32 bytes costs more than everything else here.
  const pool = randomBytes(n * tokensPerRecord * 32);
  for (let i = 0; i < n; i++) {
    out[i] = create(RecordSchema, {
      recordId: `${prefix}-${i}`,
      epoch: 1,
      kind: RecordKind.ACCOUNT,
      tokens: Array.from({ length: tokensPerRecord }, (_, j) => create(TokenSchema, { kind: kinds[j % kinds.length]!, value: pool.subarray((i * tokensPerRecord + j) * 32, (i * tokensPerRecord + j + 1) * 32) })),
      labels: ['template_reuse', 'volume'],
      score: 0.9,
      firstSeenMs: BigInt(now - 86_400_000),
      lastSeenMs: BigInt(now),
      expiresMs: BigInt(now + 90 * 86_400_000),
    });
  }
  return out;
}
