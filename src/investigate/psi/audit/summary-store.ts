import type { Sql, TransactionSql } from 'postgres';

/**
 * SQL for the PSI sessions a consortium node has logged (migration 011).
 * One function per statement; callers own transactions.
 */
type Tx = Sql | TransactionSql;

/** A PSI session as the log names it: its id and its two parties. */
export interface SessionKey { sessionId: Uint8Array; initiatorId: string; responderId: string }

export interface LoggedSummary { leafIndex: bigint; entryDigest: Uint8Array }

/** Serialises recording of one session across connections until the transaction ends. */
export async function lockSession(tx: TransactionSql, key: SessionKey): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext('cordon.psi_summary'), hashtext(${Buffer.from(key.sessionId).toString('hex')}))`;
}

export async function loggedSummary(tx: Tx, key: SessionKey): Promise<LoggedSummary | undefined> {
  const [row] = await tx<{ leaf_index: bigint; entry_digest: Uint8Array }[]>`
    SELECT leaf_index, entry_digest FROM psi_summary_leaves
    WHERE session_id = ${Buffer.from(key.sessionId)} AND initiator_id = ${key.initiatorId} AND responder_id = ${key.responderId}`;
  return row ? { leafIndex: BigInt(row.leaf_index), entryDigest: row.entry_digest } : undefined;
}

export async function insertLoggedSummary(tx: Tx, key: SessionKey, entryDigest: Uint8Array, leafIndex: number): Promise<void> {
  await tx`
    INSERT INTO psi_summary_leaves (session_id, initiator_id, responder_id, entry_digest, leaf_index)
    VALUES (${Buffer.from(key.sessionId)}, ${key.initiatorId}, ${key.responderId}, ${Buffer.from(entryDigest)}, ${String(leafIndex)})`;
}
