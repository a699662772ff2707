import type { Sql } from 'postgres';

/** Queries over oprf_key_shares (migration 007): a consortium node's sealed key shares. */
export interface ShareRow {
  epoch: number;
  generation: number;
  share_index: number;
  key_info: Uint8Array;
  share_jwe: string;
}

/** The newest generation this node holds for `epoch`, if any. */
export async function latestShare(sql: Sql, epoch: number): Promise<ShareRow | undefined> {
  const rows = await sql<ShareRow[]>`
    SELECT epoch::int AS epoch, generation, share_index, key_info, share_jwe FROM oprf_key_shares
    WHERE epoch = ${epoch} ORDER BY generation DESC LIMIT 1`;
  return rows[0];
}

/**
 * Keeps the share of a new generation and deletes every older one of the
 * epoch, in one transaction: after resharing, the old share must not survive
 * beside the new one.
 */
export async function replaceShares(sql: Sql, row: ShareRow): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`INSERT INTO oprf_key_shares (epoch, generation, share_index, key_info, share_jwe)
      VALUES (${row.epoch}, ${row.generation}, ${row.share_index}, ${row.key_info}, ${row.share_jwe})`;
    await tx`DELETE FROM oprf_key_shares WHERE epoch = ${row.epoch} AND generation < ${row.generation}`;
  });
}

/** Deletes this node's shares of `epoch` below `beforeGeneration` (it left the holders); returns how many. */
export async function deleteShares(sql: Sql, epoch: number, beforeGeneration: number): Promise<number> {
  const rows = await sql`DELETE FROM oprf_key_shares WHERE epoch = ${epoch} AND generation < ${beforeGeneration} RETURNING generation`;
  return rows.length;
}
