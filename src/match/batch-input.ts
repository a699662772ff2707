import type { Sql, TransactionSql } from 'postgres';
import { RecordKind } from '../gen/cordon/v1/common_pb.js';
import { readBatch } from './read-batch.js';
import type { MatchRules } from './rules.js';
import type { Member } from './plan/link-shape.js';
import { lookupKey } from './ids.js';
import type { TemplateCandidate } from './plan/template-pairs.js';

/** A record's linking tokens, as the token index takes them. */
export interface TokenRecord { member: Member; epoch: number; expiresMs: number; tokens: { kind: number; token: Uint8Array }[] }

/** What the matcher takes from one accepted batch. */
export interface BatchInput {
  providerId: string;
  publishedMs: number;
  retracted: string[];
  accounts: TokenRecord[];
  templates: (TemplateCandidate & { expiresMs: number })[];
  /** Epoch of each record, by id (for the links it forms). */
  epochOf: Map<string, number>;
}

/**
 * Reads a batch back from the exact signed bytes the node stored (one row by
 * primary key) and keeps what matching needs: the linking tokens of records
 * that are neither expired nor retracted in the same batch; the template
 * signatures; the retractions.
 */
export async function readBatchInput(tx: TransactionSql | Sql, providerId: string, seq: bigint, rules: MatchRules, nowMs = Date.now()): Promise<BatchInput> {
  const [row] = await tx<{ batch: Uint8Array; created_at: Date }[]>`SELECT batch, created_at FROM batches WHERE provider_id = ${providerId} AND seq = ${seq.toString()}`;
  if (!row) throw new Error(`matcher: batch ${providerId}#${seq} is not stored`);
  const batch = readBatch(row.batch);
  const publishedMs = row.created_at.getTime();
  const retracted = batch.retractions;
  const gone = new Set(retracted);
  const accounts: TokenRecord[] = [];
  const templates: BatchInput['templates'] = [];
  const epochOf = new Map<string, number>();
  for (const r of batch.records) {
    const expiresMs = Number(r.expiresMs);
    if (expiresMs <= nowMs || gone.has(r.recordId)) continue;
    epochOf.set(r.recordId, r.epoch);
    const member: Member = { provider: providerId, record: r.recordId, publishedMs };
    const tokens = r.tokens.filter((t) => rules.linkKinds.has(t.kind));
    if (tokens.length > 0) accounts.push({ member, epoch: r.epoch, expiresMs, tokens });
    if (r.kind === RecordKind.TEMPLATE && r.minhash.length > 0) {
      templates.push({ member, epoch: r.epoch, minhash: Uint32Array.from(r.minhash), bkeys: r.bands.map((b) => lookupKey(b)), expiresMs });
    }
  }
  return { providerId, publishedMs, retracted, accounts, templates, epochOf };
}
