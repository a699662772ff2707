import { RecordKind, TokenKind, type Batch, type Record as BatchRecord } from '../../gen/cordon/v1/common_pb.js';
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

/*
 * The content rules of a batch live here, once, and are applied by two
 * readers: validateBatch (over a message decoded by @bufbuild/protobuf) and
 * the single-pass wire decoder in batch-wire.ts (over facts read straight from
 * the signed bytes). Both report the same first problem with the same message.
 * The rules are written against plain facts (counts, numbers, yes/no answers)
 * so neither reader has to build the other's representation.
 */

export const MAX_TOKEN_KIND = Math.max(...Object.values(TokenKind).filter((v): v is number => typeof v === 'number'));
/** Largest PostgreSQL int4 (records.epoch). */
export const MAX_EPOCH = 2 ** 31 - 1;
/** Largest PostgreSQL int8 (batches.seq, records.seq). */
export const MAX_SEQ = (1n << 63n) - 1n;
/**
 * Record times (ms since 1970) must be PostgreSQL timestamptz values and exact
 * JS numbers: from PostgreSQL's earliest (4714-11-24 BC) to JS Date's latest
 * (275760-09-13). Both bounds are below 2^53, so a time that passes is exact.
 */
export const MIN_TIME_MS = -210_866_803_200_000;
export const MAX_TIME_MS = 8_640_000_000_000_000;

/** A byte-level form of a single-character-class rule like RECORD_ID: which ASCII bytes, and how many. */
export interface AsciiRule { readonly allowed: Uint8Array; readonly max: number }

/**
 * Derives the byte-level form of `^[class]{1,max}$` from the regex itself, so
 * the decoder's byte checks cannot drift from limits.ts (the unit tests check
 * the two agree on every ASCII byte and at the length bounds).
 */
function asciiRule(re: RegExp): AsciiRule {
  const allowed = new Uint8Array(256);
  for (let c = 0; c < 128; c++) allowed[c] = re.test(String.fromCharCode(c)) ? 1 : 0;
  const sample = String.fromCharCode(allowed.indexOf(1));
  let max = 0;
  while (max < 4096 && re.test(sample.repeat(max + 1))) max++;
  return { allowed, max };
}
export const RECORD_ID_BYTES: AsciiRule = asciiRule(RECORD_ID);
export const LABEL_BYTES: AsciiRule = asciiRule(LABEL);

/** Whether bytes[start, end) as UTF-8 text satisfies `rule` (non-ASCII bytes never do). */
export function asciiRuleOk(rule: AsciiRule, bytes: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < 1 || n > rule.max) return false;
  const allowed = rule.allowed;
  for (let i = start; i < end; i++) if (allowed[bytes[i]!] !== 1) return false;
  return true;
}

const RECORD_ID_RULE = 'must be 1–128 chars of A-Z a-z 0-9 . _ : -';

export interface HeaderFacts {
  readonly seq: bigint;
  readonly prevDigestLength: number;
  readonly recordCount: number;
  readonly retractionCount: number;
  /** created_ms as a number (rounded like Number(bigint) when huge). */
  readonly createdMs: number;
}

/** The batch-level rules. Returns `path: what` for the first problem, or undefined. */
export function headerProblem(h: HeaderFacts, opts: { now?: number; checkSkew: boolean }): string | undefined {
  if (h.seq < 1n) return 'seq: must be ≥ 1';
  if (h.seq > MAX_SEQ) return `seq: must be at most ${MAX_SEQ}`;
  if (h.prevDigestLength !== DIGEST_BYTES) return `prev_digest: must be ${DIGEST_BYTES} bytes`;
  if (h.recordCount > MAX_RECORDS_PER_BATCH) return `records: at most ${MAX_RECORDS_PER_BATCH} per batch, got ${h.recordCount}`;
  if (h.retractionCount > MAX_RETRACTIONS_PER_BATCH) return `retractions: at most ${MAX_RETRACTIONS_PER_BATCH} per batch`;
  if (h.recordCount + h.retractionCount === 0) return 'records: a batch must carry at least one record or retraction';
  if (opts.checkSkew) {
    const skew = h.createdMs - (opts.now ?? Date.now());
    if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) return `created_ms: is ${Math.round(skew / 1000)} s from this node's clock (limit ${MAX_CLOCK_SKEW_MS / 1000} s)`;
  }
  return undefined;
}

/** What the record rules look at. Int64 times are numbers (rounded like Number(bigint) when huge; the range rule rejects those). */
export interface RecordFacts {
  /** Whether record_id satisfies RECORD_ID. */
  readonly recordIdOk: boolean;
  /** Read only when recordIdOk. */
  readonly recordId: string;
  readonly epoch: number;
  readonly kind: number;
  readonly tokenCount: number;
  /** Read only for j < min(tokenCount, MAX_TOKENS_PER_RECORD). */
  tokenKind(j: number): number;
  tokenValueLength(j: number): number;
  /** MinHash values in the template signature (0 when there is none). */
  readonly minhashCount: number;
  readonly labelCount: number;
  /** Read only for j < min(labelCount, MAX_LABELS_PER_RECORD). */
  labelOk(j: number): boolean;
  readonly score: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly expiresMs: number;
}

function timeProblem(i: number, field: string, ms: number): string | undefined {
  return ms >= MIN_TIME_MS && ms <= MAX_TIME_MS ? undefined : `records[${i}].${field}: must be between ${MIN_TIME_MS} and ${MAX_TIME_MS}`;
}

/**
 * The rules for records[i], in order. `ids` holds the ids of records 0..i-1;
 * the record's id is added when it passes the id rules.
 */
export function recordProblem(r: RecordFacts, i: number, ids: Set<string>): string | undefined {
  if (!r.recordIdOk) return `records[${i}].record_id: ${RECORD_ID_RULE}`;
  if (ids.has(r.recordId)) return `records[${i}].record_id: '${r.recordId}' appears twice in the batch`;
  ids.add(r.recordId);
  if (r.kind !== RecordKind.ACCOUNT && r.kind !== RecordKind.TEMPLATE) return `records[${i}].kind: must be ACCOUNT or TEMPLATE`;
  if (r.epoch > MAX_EPOCH) return `records[${i}].epoch: at most ${MAX_EPOCH}`;
  const tokenCount = r.tokenCount;
  if (tokenCount > MAX_TOKENS_PER_RECORD) return `records[${i}].tokens: at most ${MAX_TOKENS_PER_RECORD}`;
  if (r.kind === RecordKind.ACCOUNT && tokenCount === 0) return `records[${i}].tokens: an account record needs at least one token`;
  for (let j = 0; j < tokenCount; j++) {
    const kind = r.tokenKind(j);
    if (kind <= 0 || kind > MAX_TOKEN_KIND) return `records[${i}].tokens[${j}].kind: unknown token kind`;
    if (r.tokenValueLength(j) !== TOKEN_BYTES) return `records[${i}].tokens[${j}].value: must be ${TOKEN_BYTES} bytes`;
  }
  if (r.kind === RecordKind.TEMPLATE && r.minhashCount === 0) return `records[${i}].template: a template record needs a signature`;
  const labelCount = r.labelCount;
  if (labelCount > MAX_LABELS_PER_RECORD) return `records[${i}].labels: at most ${MAX_LABELS_PER_RECORD}`;
  for (let j = 0; j < labelCount; j++) if (!r.labelOk(j)) return `records[${i}].labels[${j}]: must be 1–64 chars of a-z 0-9 _ . : -`;
  if (!(r.score >= 0 && r.score <= 1)) return `records[${i}].score: must be in [0, 1]`;
  if (r.expiresMs <= 0) return `records[${i}].expires_ms: is mandatory`;
  const range = timeProblem(i, 'first_seen_ms', r.firstSeenMs) ?? timeProblem(i, 'last_seen_ms', r.lastSeenMs) ?? timeProblem(i, 'expires_ms', r.expiresMs);
  if (range !== undefined) return range;
  if (r.firstSeenMs > r.lastSeenMs) return `records[${i}].first_seen_ms: is after last_seen_ms`;
  if (r.expiresMs < r.lastSeenMs) return `records[${i}].expires_ms: is before last_seen_ms`;
  return undefined;
}

/** The rules for retractions[i]; `reasonLength` counts UTF-16 code units, like String.length. */
export function retractionProblem(recordIdOk: boolean, reasonLength: number, i: number): string | undefined {
  if (!recordIdOk) return `retractions[${i}].record_id: ${RECORD_ID_RULE}`;
  if (reasonLength > 256) return `retractions[${i}].reason: at most 256 characters`;
  return undefined;
}

/** RecordFacts over a decoded message. */
class DecodedRecordFacts implements RecordFacts {
  constructor(private readonly r: BatchRecord) {}
  get recordIdOk(): boolean { return RECORD_ID.test(this.r.recordId); }
  get recordId(): string { return this.r.recordId; }
  get epoch(): number { return this.r.epoch; }
  get kind(): number { return this.r.kind; }
  get tokenCount(): number { return this.r.tokens.length; }
  tokenKind(j: number): number { return this.r.tokens[j]!.kind; }
  tokenValueLength(j: number): number { return this.r.tokens[j]!.value.length; }
  get minhashCount(): number { return this.r.template?.minhash.length ?? 0; }
  get labelCount(): number { return this.r.labels.length; }
  labelOk(j: number): boolean { return LABEL.test(this.r.labels[j]!); }
  get score(): number { return this.r.score; }
  get firstSeenMs(): number { return Number(this.r.firstSeenMs); }
  get lastSeenMs(): number { return Number(this.r.lastSeenMs); }
  get expiresMs(): number { return Number(this.r.expiresMs); }
}

/**
 * Checks a decoded batch's content (pure; the signature and chain position
 * are checked elsewhere). The first problem found is reported with its path,
 * e.g. `records[17].tokens[2].value: must be 32 bytes`.
 */
export function validateBatch(batch: Batch, where: string, opts: { now?: number; checkSkew: boolean }): void {
  const problem = batchProblem(batch, opts);
  if (problem !== undefined) throw new CordonError('INVALID_INPUT', `${where}: ${problem}`);
}

function batchProblem(batch: Batch, opts: { now?: number; checkSkew: boolean }): string | undefined {
  const header = headerProblem({
    seq: batch.seq,
    prevDigestLength: batch.prevDigest.length,
    recordCount: batch.records.length,
    retractionCount: batch.retractions.length,
    createdMs: Number(batch.createdMs),
  }, opts);
  if (header !== undefined) return header;
  const ids = new Set<string>();
  for (let i = 0; i < batch.records.length; i++) {
    const problem = recordProblem(new DecodedRecordFacts(batch.records[i]!), i, ids);
    if (problem !== undefined) return problem;
  }
  for (let i = 0; i < batch.retractions.length; i++) {
    const r = batch.retractions[i]!;
    const problem = retractionProblem(RECORD_ID.test(r.recordId), r.reason.length, i);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
