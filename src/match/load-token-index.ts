import type { Sql } from 'postgres';
import type { Logger } from '../log.js';
import type { MatchRules } from './rules.js';
import { TokenIndex } from './token-index.js';

/** Rows per round trip while rebuilding. */
const REBUILD_PAGE = 10_000;
const PACKED_TOKEN_BYTES = 33;

/**
 * Rebuilds the token index from the records of every matched batch that are
 * still active: not retracted, not expired, minus excluded tokens — exactly
 * the postings the incremental matcher would hold.
 */
export async function loadTokenIndex(sql: Sql, rules: MatchRules, log: Logger): Promise<TokenIndex> {
  const started = performance.now();
  const index = new TokenIndex();
  const excluded = new Set((await sql<{ epoch: number; kind: number; token: Uint8Array }[]>`SELECT epoch, kind, token FROM excluded_tokens`).map((r) => `${r.epoch}:${r.kind}:${Buffer.from(r.token).toString('hex')}`));
  const cursor = sql<{ provider_id: string; record_id: string; epoch: number; tokens: Uint8Array; expires_at: Date; created_at: Date }[]>`
    SELECT r.provider_id, r.record_id, r.epoch, r.tokens, r.expires_at, b.created_at
    FROM records r JOIN batches b ON b.provider_id = r.provider_id AND b.seq = r.seq
    WHERE b.matched AND r.retracted_seq IS NULL AND r.expires_at > now()
    ORDER BY r.provider_id, r.seq`.cursor(REBUILD_PAGE);
  for await (const rows of cursor) {
    for (const r of rows) {
      const tokens: { kind: number; token: Uint8Array }[] = [];
      for (let o = 0; o + PACKED_TOKEN_BYTES <= r.tokens.length; o += PACKED_TOKEN_BYTES) {
        const kind = r.tokens[o]!;
        if (!rules.linkKinds.has(kind)) continue;
        const token = r.tokens.subarray(o + 1, o + PACKED_TOKEN_BYTES);
        if (excluded.size > 0 && excluded.has(`${r.epoch}:${kind}:${Buffer.from(token).toString('hex')}`)) continue;
        tokens.push({ kind, token });
      }
      index.add({ provider: r.provider_id, record: r.record_id, epoch: r.epoch, publishedMs: r.created_at.getTime(), expiresMs: r.expires_at.getTime() }, tokens);
    }
  }
  log.info('token index rebuilt', { records: index.recordCount, tokens: index.tokenCount, ms: Math.round(performance.now() - started) });
  return index;
}
