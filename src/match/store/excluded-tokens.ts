import type { Sql, TransactionSql } from 'postgres';

type Tx = TransactionSql | Sql;

/**
 * Tokens that link nothing: the manifest's never-match list, mirrored here so
 * a rebuild of the token index can leave them out, and tokens the matcher
 * quarantined.
 */
/** Marks a token as linking nothing from now on. */
export async function excludeToken(tx: Tx, t: { epoch: number; kind: number; token: Uint8Array; reason: 'never_match' | 'quarantine'; recordCount?: number }): Promise<void> {
  await tx`
    INSERT INTO excluded_tokens (epoch, kind, token, reason, record_count) VALUES (${t.epoch}, ${t.kind}, ${t.token}, ${t.reason}, ${t.recordCount ?? null})
    ON CONFLICT (epoch, kind, token) DO NOTHING`;
}

/** Makes the never-match rows equal the policy's list (quarantined tokens stay). */
export async function syncNeverMatch(tx: Tx, tokens: readonly { epoch: number; kind: number; token: string }[]): Promise<void> {
  await tx`DELETE FROM excluded_tokens WHERE reason = 'never_match'`;
  if (tokens.length === 0) return;
  await tx`
    INSERT INTO excluded_tokens (epoch, kind, token, reason)
    SELECT e, k, decode(t, 'hex'), 'never_match' FROM unnest(${tokens.map((x) => x.epoch)}::int[], ${tokens.map((x) => x.kind)}::int[], ${tokens.map((x) => x.token)}::text[]) AS n(e, k, t)
    ON CONFLICT (epoch, kind, token) DO NOTHING`;
}
