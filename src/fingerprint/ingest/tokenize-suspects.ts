import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { RecordKind, RecordSchema, TemplateSignatureSchema, TokenSchema, type Record as BatchRecord } from '../../gen/cordon/v1/common_pb.js';
import type { TokenPrf } from '../../crypto/prf/token-prf.js';
import { TOKEN_KIND_CODES } from '../../crypto/prf/token-prf.js';
import type { TemplateSigner } from '../../crypto/minhash.js';
import { normalizeIdentifier, type NormalizedIdentifier } from '../normalize/index.js';
import { TemplateMiner, type MinerOptions } from '../template/miner.js';
import { IDENTIFIER_KINDS, type Suspect } from '../suspect.js';

/**
 * Raw suspects in, publishable records out: identifiers normalized per kind
 * and turned into keyed tokens, recurring prompt skeletons mined and turned
 * into keyed MinHash signatures. Everything raw stays in the returned `local`
 * half, which only the provider's own database ever sees.
 *
 * A value that cannot be normalized is reported with its row and reason and
 * counted; it is never silently dropped and never published.
 */
export interface SuspectRow { row: number; suspect: Suspect }

export interface IngestProblem { row: number; field: string; reason: string }

/** What the provider keeps locally about each published record. */
export interface LocalRecord {
  recordId: string;
  accountId?: string;
  kind: 'account' | 'template';
  epoch: number;
  normalized?: NormalizedIdentifier[];
  skeleton?: string;
  cluster?: string;
  labels: string[];
  score: number;
  firstSeenMs: number;
  lastSeenMs: number;
  expiresMs: number;
}

export interface IngestResult {
  records: BatchRecord[];
  local: LocalRecord[];
  problems: IngestProblem[];
  counts: { suspects: number; accounts: number; tokens: number; rejectedValues: number; templates: number; prompts: number };
}

export interface IngestDeps {
  prf: TokenPrf;
  epoch: number;
  templateSigner: TemplateSigner;
  miner?: MinerOptions;
  /** Opaque record ids: random, never derived from account ids. */
  newRecordId?: () => string;
}

export const newOpaqueRecordId = (): string => `r-${randomBytes(12).toString('base64url')}`;

/** Turns normalized identifiers into Token messages under `epoch`. */
export async function tokensFor(prf: TokenPrf, epoch: number, normalized: readonly NormalizedIdentifier[]) {
  const values = await prf.tokenizeBatch(epoch, normalized);
  return normalized.map((n, i) => create(TokenSchema, { kind: TOKEN_KIND_CODES[n.kind], value: values[i]! }));
}

export function templateRecord(recordId: string, epoch: number, signer: TemplateSigner, skeleton: string, meta: Pick<LocalRecord, 'labels' | 'score' | 'firstSeenMs' | 'lastSeenMs' | 'expiresMs'>): BatchRecord {
  const sig = signer.sign(skeleton);
  return create(RecordSchema, {
    recordId, epoch, kind: RecordKind.TEMPLATE,
    template: create(TemplateSignatureSchema, { minhash: Array.from(sig.minhash), bands: sig.bands.map((b) => Uint8Array.from(b)) }),
    labels: meta.labels, score: meta.score,
    firstSeenMs: BigInt(meta.firstSeenMs), lastSeenMs: BigInt(meta.lastSeenMs), expiresMs: BigInt(meta.expiresMs),
  });
}

export async function tokenizeSuspects(rows: readonly SuspectRow[], deps: IngestDeps): Promise<IngestResult> {
  const newId = deps.newRecordId ?? newOpaqueRecordId;
  const records: BatchRecord[] = [];
  const local: LocalRecord[] = [];
  const problems: IngestProblem[] = [];
  const counts = { suspects: rows.length, accounts: 0, tokens: 0, rejectedValues: 0, templates: 0, prompts: 0 };
  const miner = new TemplateMiner(deps.miner);
  // Template records inherit the strongest evidence of the accounts that used them.
  const templateMeta = new Map<number, { labels: Set<string>; score: number; first: number; last: number; expires: number }>();

  for (const { row, suspect } of rows) {
    const normalized: NormalizedIdentifier[] = [];
    const seen = new Set<string>();
    for (const kind of IDENTIFIER_KINDS) {
      const values = suspect.identifiers[kind] ?? [];
      values.forEach((raw, i) => {
        const result = normalizeIdentifier(kind, raw);
        if (!result.ok) {
          counts.rejectedValues++;
          problems.push({ row, field: `identifiers.${kind}[${i}]`, reason: result.reason });
          return;
        }
        for (const v of result.values) {
          const key = `${v.kind}\u0000${v.value}`;
          if (!seen.has(key)) normalized.push(v), seen.add(key);
        }
      });
    }
    const firstSeenMs = Date.parse(suspect.first_seen);
    const lastSeenMs = Date.parse(suspect.last_seen);
    const expiresMs = Date.parse(suspect.expires);
    if (firstSeenMs > lastSeenMs) problems.push({ row, field: 'first_seen', reason: 'is after last_seen' });
    else if (expiresMs < lastSeenMs) problems.push({ row, field: 'expires', reason: 'is before last_seen' });
    else if (normalized.length === 0) problems.push({ row, field: 'identifiers', reason: 'no identifier could be normalized; the suspect is not published' });
    else {
      const recordId = newId();
      const tokens = await tokensFor(deps.prf, deps.epoch, normalized);
      counts.accounts++;
      counts.tokens += tokens.length;
      records.push(create(RecordSchema, {
        recordId, epoch: deps.epoch, kind: RecordKind.ACCOUNT, tokens, labels: suspect.labels, score: suspect.score,
        firstSeenMs: BigInt(firstSeenMs), lastSeenMs: BigInt(lastSeenMs), expiresMs: BigInt(expiresMs),
      }));
      local.push({
        recordId, accountId: suspect.id, kind: 'account', epoch: deps.epoch, normalized, labels: suspect.labels, score: suspect.score,
        firstSeenMs, lastSeenMs, expiresMs, ...(suspect.cluster ? { cluster: suspect.cluster } : {}),
      });
    }
    for (const prompt of suspect.prompts) {
      counts.prompts++;
      const { template } = miner.observe(suspect.id, prompt);
      const meta = templateMeta.get(template.id) ?? { labels: new Set<string>(), score: 0, first: firstSeenMs, last: lastSeenMs, expires: expiresMs };
      for (const l of suspect.labels) meta.labels.add(l);
      meta.score = Math.max(meta.score, suspect.score);
      meta.first = Math.min(meta.first, firstSeenMs);
      meta.last = Math.max(meta.last, lastSeenMs);
      meta.expires = Math.max(meta.expires, expiresMs);
      templateMeta.set(template.id, meta);
    }
  }

  for (const t of miner.shareable()) {
    const meta = templateMeta.get(t.id)!;
    const recordId = newId();
    const info = { labels: [...meta.labels].sort(), score: meta.score, firstSeenMs: meta.first, lastSeenMs: meta.last, expiresMs: meta.expires };
    records.push(templateRecord(recordId, deps.epoch, deps.templateSigner, t.skeleton, info));
    local.push({ recordId, kind: 'template', epoch: deps.epoch, skeleton: t.skeleton, ...info });
    counts.templates++;
  }
  return { records, local, problems, counts };
}
