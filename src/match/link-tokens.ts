import type { Sql, TransactionSql } from 'postgres';
import type { BatchInput, TokenRecord } from './batch-input.js';
import { recordKey, type RecordRef } from './ids.js';
import type { Participates } from './match-env.js';
import { groupTokens, tokenKey, type TokenGroup, type TokenOf } from './plan/token-groups.js';
import { latestRecords } from './store/records.js';
import type { TokenIndex } from './token-index.js';

/**
 * What a committed batch changes in the token index. The matcher applies it
 * only after the batch's transaction commits, so the index never runs ahead
 * of the database.
 */
export interface IndexUpdate {
  add: TokenRecord[];
  withdraw: RecordRef[];
  exclude: { epoch: number; kind: number; token: Uint8Array }[];
}

/** Excluded tokens (never-match and quarantined), by tokenKey. */
export type ExcludedTokens = Set<string>;

/**
 * The batch's tokens that now link records: grouped with the index's hits
 * for them and with each other. The index looks up by 8-byte key, so every
 * held hit is verified against the full token of the stored record (hits
 * are rare: a batch that links nothing reads nothing). Only participating
 * providers' records are candidates (match-env.ts): a batch of a suspended or
 * revoked provider links nothing, and their held records are skipped.
 */
export async function linkTokenGroups(tx: TransactionSql | Sql, input: BatchInput, index: TokenIndex, excluded: ExcludedTokens, participates: Participates, nowMs = Date.now()): Promise<TokenGroup[]> {
  if (!participates(input.providerId)) return [];
  const incoming: TokenOf[] = [];
  const held: TokenOf[] = [];
  for (const r of input.accounts) {
    for (const t of r.tokens) {
      if (excluded.size > 0 && excluded.has(tokenKey(r.epoch, t.kind, t.token))) continue;
      incoming.push({ epoch: r.epoch, kind: t.kind, token: t.token, member: r.member });
      for (const h of index.lookup(t.kind, t.token, r.epoch, nowMs)) {
        if (!participates(h.provider)) continue;
        held.push({ epoch: r.epoch, kind: t.kind, token: t.token, member: { provider: h.provider, record: h.record, publishedMs: h.publishedMs } });
      }
    }
  }
  const groups = groupTokens(incoming, held);
  const toVerify = groups.flatMap((g) => g.held);
  if (toVerify.length === 0) return groups;
  const holds = await storedTokens(tx, toVerify.map((m) => ({ provider: m.provider, record: m.record })));
  return groups
    .map((g) => ({ ...g, held: g.held.filter((m) => holds(m.provider, m.record, g.epoch, g.kind, g.token)) }))
    .filter((g) => g.held.length + g.incoming.length >= 2);
}

/**
 * Whether a stored record holds a token exactly: the token index compares
 * 8-byte keys, so every hit is checked against the records table (hits are
 * rare, so this reads little).
 */
export async function storedTokens(tx: TransactionSql | Sql, refs: readonly RecordRef[]): Promise<(provider: string, record: string, epoch: number, kind: number, token: Uint8Array) => boolean> {
  const stored = new Map<string, Set<string>>();
  for (const rec of await latestRecords(tx, refs)) {
    stored.set(recordKey(rec.provider_id, rec.record_id), new Set(rec.tokens.map((t) => tokenKey(rec.epoch, t.kind, t.token))));
  }
  return (provider, record, epoch, kind, token) => stored.get(recordKey(provider, record))?.has(tokenKey(epoch, kind, token)) ?? false;
}
