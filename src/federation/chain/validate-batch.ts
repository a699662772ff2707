import { RecordKind, TokenKind, type Batch } from '../../gen/cordon/v1/common_pb.js';
import { CordonError } from '../../errors.js';
import {
  DIGEST_BYTES,
  LABEL,
  MAX_CLOCK_SKEW_MS,
  MAX_LABELS_PER_RECORD,
  MAX_RECORDS_PER_BATCH,
  MAX_RETRACTIONS_PER_BATCH,
  MAX_TOKENS_PER_RECORD,
  RECORD_ID,
  TOKEN_BYTES,
} from './limits.js';

const MAX_TOKEN_KIND = Math.max(...Object.values(TokenKind).filter((v): v is number => typeof v === 'number'));

/**
 * Checks a decoded batch's content (pure; the signature and chain position
 * are checked elsewhere). The first problem found is reported with its path,
 * e.g. `records[17].tokens[2]: value must be 32 bytes`.
 */
export function validateBatch(batch: Batch, where: string, opts: { now?: number; checkSkew: boolean }): void {
  const fail = (path: string, what: string): never => {
    throw new CordonError('INVALID_INPUT', `${where}: ${path}: ${what}`);
  };
  if (batch.seq < 1n) fail('seq', 'must be ≥ 1');
  if (batch.prevDigest.length !== DIGEST_BYTES) fail('prev_digest', `must be ${DIGEST_BYTES} bytes`);
  if (batch.records.length > MAX_RECORDS_PER_BATCH) fail('records', `at most ${MAX_RECORDS_PER_BATCH} per batch, got ${batch.records.length}`);
  if (batch.retractions.length > MAX_RETRACTIONS_PER_BATCH) fail('retractions', `at most ${MAX_RETRACTIONS_PER_BATCH} per batch`);
  if (batch.records.length + batch.retractions.length === 0) fail('records', 'a batch must carry at least one record or retraction');
  if (opts.checkSkew) {
    const skew = Number(batch.createdMs) - (opts.now ?? Date.now());
    if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) fail('created_ms', `is ${Math.round(skew / 1000)} s from this node's clock (limit ${MAX_CLOCK_SKEW_MS / 1000} s)`);
  }
  const ids = new Set<string>();
  for (let i = 0; i < batch.records.length; i++) {
    const r = batch.records[i]!;
    const at = `records[${i}]`;
    if (!RECORD_ID.test(r.recordId)) fail(`${at}.record_id`, 'must be 1–128 chars of A-Z a-z 0-9 . _ : -');
    if (ids.has(r.recordId)) fail(`${at}.record_id`, `'${r.recordId}' appears twice in the batch`);
    ids.add(r.recordId);
    if (r.kind !== RecordKind.ACCOUNT && r.kind !== RecordKind.TEMPLATE) fail(`${at}.kind`, 'must be ACCOUNT or TEMPLATE');
    if (r.tokens.length > MAX_TOKENS_PER_RECORD) fail(`${at}.tokens`, `at most ${MAX_TOKENS_PER_RECORD}`);
    if (r.kind === RecordKind.ACCOUNT && r.tokens.length === 0) fail(`${at}.tokens`, 'an account record needs at least one token');
    for (let j = 0; j < r.tokens.length; j++) {
      const t = r.tokens[j]!;
      if (t.kind <= 0 || t.kind > MAX_TOKEN_KIND) fail(`${at}.tokens[${j}].kind`, 'unknown token kind');
      if (t.value.length !== TOKEN_BYTES) fail(`${at}.tokens[${j}].value`, `must be ${TOKEN_BYTES} bytes`);
    }
    if (r.kind === RecordKind.TEMPLATE && (!r.template || r.template.minhash.length === 0)) fail(`${at}.template`, 'a template record needs a signature');
    if (r.labels.length > MAX_LABELS_PER_RECORD) fail(`${at}.labels`, `at most ${MAX_LABELS_PER_RECORD}`);
    for (let j = 0; j < r.labels.length; j++) if (!LABEL.test(r.labels[j]!)) fail(`${at}.labels[${j}]`, 'must be 1–64 chars of a-z 0-9 _ . : -');
    if (!(r.score >= 0 && r.score <= 1)) fail(`${at}.score`, 'must be in [0, 1]');
    if (r.expiresMs <= 0n) fail(`${at}.expires_ms`, 'is mandatory');
    if (r.firstSeenMs > r.lastSeenMs) fail(`${at}.first_seen_ms`, 'is after last_seen_ms');
    if (r.expiresMs < r.lastSeenMs) fail(`${at}.expires_ms`, 'is before last_seen_ms');
  }
  for (let i = 0; i < batch.retractions.length; i++) {
    const r = batch.retractions[i]!;
    if (!RECORD_ID.test(r.recordId)) fail(`retractions[${i}].record_id`, 'must be 1–128 chars of A-Z a-z 0-9 . _ : -');
    if (r.reason.length > 256) fail(`retractions[${i}].reason`, 'at most 256 characters');
  }
}
