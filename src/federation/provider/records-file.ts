import { create } from '@bufbuild/protobuf';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { RecordKind, RecordSchema, RetractionSchema, TokenKind, TokenSchema, type Record as BatchRecord, type Retraction } from '../../gen/cordon/v1/common_pb.js';
import { CordonError, fileProblem, firstIssue } from '../../errors.js';
import { LABEL, RECORD_ID } from '../chain/limits.js';

/**
 * The `cordon publish FILE` format: JSON lines of already-tokenized records
 * (what `cordon publish --raw` produces from raw suspects), or retractions.
 *
 *   {"record_id":"r1","kind":"account","epoch":1,"tokens":[{"kind":"email","value":"<64 hex>"}],
 *    "labels":["template_reuse"],"score":0.9,"first_seen":"…","last_seen":"…","expires":"…"}
 *   {"retract":"r1","reason":"false positive"}
 */
export const TOKEN_KIND_NAMES: Record<string, TokenKind> = {
  email: TokenKind.EMAIL, phone: TokenKind.PHONE, ip: TokenKind.IP, ip_prefix: TokenKind.IP_PREFIX, asn: TokenKind.ASN,
  payment: TokenKind.PAYMENT, device: TokenKind.DEVICE, org_domain: TokenKind.ORG_DOMAIN, api_key: TokenKind.API_KEY,
};

const time = z.string().datetime({ offset: true });
const tokenSchema = z.object({
  kind: z.enum(Object.keys(TOKEN_KIND_NAMES) as [string, ...string[]]),
  value: z.string().regex(/^[0-9a-f]{64}$/, 'must be 32 bytes as 64 lowercase hex characters'),
}).strict();

const recordLine = z.object({
  record_id: z.string().regex(RECORD_ID, 'must be 1–128 chars of A-Z a-z 0-9 . _ : -'),
  kind: z.enum(['account', 'template']).default('account'),
  epoch: z.number().int().min(0).max(2 ** 32 - 1),
  tokens: z.array(tokenSchema).max(64).default([]),
  template: z.object({ minhash: z.array(z.number().int().min(0).max(2 ** 32 - 1)).min(1).max(1024), bands: z.array(z.string().regex(/^[0-9a-f]{2,128}$/)).max(256) }).strict().optional(),
  labels: z.array(z.string().regex(LABEL)).max(32).default([]),
  score: z.number().min(0).max(1),
  first_seen: time,
  last_seen: time,
  expires: time,
}).strict();

const retractLine = z.object({ retract: z.string().regex(RECORD_ID), reason: z.string().max(256).default('') }).strict();

export interface ParsedRecords { records: BatchRecord[]; retractions: Retraction[] }

const ms = (iso: string) => BigInt(Date.parse(iso));

export function recordFromLine(r: z.infer<typeof recordLine>): BatchRecord {
  return create(RecordSchema, {
    recordId: r.record_id,
    epoch: r.epoch,
    kind: r.kind === 'account' ? RecordKind.ACCOUNT : RecordKind.TEMPLATE,
    tokens: r.tokens.map((t) => create(TokenSchema, { kind: TOKEN_KIND_NAMES[t.kind]!, value: Buffer.from(t.value, 'hex') })),
    ...(r.template ? { template: { minhash: r.template.minhash, bands: r.template.bands.map((b) => Buffer.from(b, 'hex')) } } : {}),
    labels: r.labels,
    score: r.score,
    firstSeenMs: ms(r.first_seen),
    lastSeenMs: ms(r.last_seen),
    expiresMs: ms(r.expires),
  });
}

/** Parses one line; errors name the file, the line number and the field. */
export function parseRecordLine(text: string, where: string): BatchRecord | Retraction {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `${where}: not JSON (${(err as Error).message})`);
  }
  const isRetraction = typeof json === 'object' && json !== null && 'retract' in json;
  const parsed = isRetraction ? retractLine.safeParse(json) : recordLine.safeParse(json);
  if (!parsed.success) {
    throw new CordonError('INVALID_INPUT', `${where}: ${firstIssue(parsed.error, 'line')}`);
  }
  if (isRetraction) {
    const r = parsed.data as z.infer<typeof retractLine>;
    return create(RetractionSchema, { recordId: r.retract, reason: r.reason });
  }
  return recordFromLine(parsed.data as z.infer<typeof recordLine>);
}

/**
 * Reads a whole records file, validating every line before anything is
 * published: a bad line anywhere means nothing from the file is published.
 */
export async function readRecordsFile(path: string): Promise<ParsedRecords> {
  const records: BatchRecord[] = [];
  const retractions: Retraction[] = [];
  const ids = new Set<string>();
  let n = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const item = parseRecordLine(line, `${path}:${n}`);
      if (item.$typeName === 'cordon.v1.Retraction') retractions.push(item);
      else {
        if (ids.has(item.recordId)) throw new CordonError('INVALID_INPUT', `${path}:${n}: record_id '${item.recordId}' appears twice in the file`);
        ids.add(item.recordId);
        records.push(item);
      }
    }
  } catch (err) {
    if (err instanceof CordonError) throw err;
    throw new CordonError('INVALID_INPUT', `${path}: ${fileProblem(err)}`);
  }
  if (records.length + retractions.length === 0) throw new CordonError('INVALID_INPUT', `${path}: no records`);
  return { records, retractions };
}
