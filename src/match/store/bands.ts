import type { Sql, TransactionSql } from 'postgres';
import { BinaryCopyWriter } from '../../store/copy-binary.js';
import { copyBinary } from '../../store/chain-store.js';

type Tx = TransactionSql | Sql;

/** A template's LSH band digest as an index row (bkey: the digest's first 8 bytes). */
export interface BandPosting { bkey: bigint; epoch: number; provider_id: string; record_id: string; published_ms: number; expires_ms: number }

/**
 * How many band postings one lookup reads per band digest. A band shared by
 * hundreds of templates is boilerplate, not evidence; capping keeps lookups
 * O(bands) whatever the corpus (measured in the templates benchmark).
 */
export const BAND_POSTING_CAP = 32;

export async function findBandPostings(tx: Tx, bkeys: readonly bigint[]): Promise<BandPosting[]> {
  if (bkeys.length === 0) return [];
  const rows = await tx<{ bkey: string; epoch: number; provider_id: string; record_id: string; published_at: Date; expires_at: Date }[]>`
    SELECT k.bkey, b.epoch, b.provider_id, b.record_id, b.published_at, b.expires_at
    FROM unnest(${bkeys.map(String)}::bigint[]) AS k(bkey)
    CROSS JOIN LATERAL (
      SELECT epoch, provider_id, record_id, published_at, expires_at FROM match_bands
      WHERE bkey = k.bkey AND expires_at > now() LIMIT ${BAND_POSTING_CAP}
    ) b`;
  return rows.map((r) => ({ bkey: BigInt(r.bkey), epoch: r.epoch, provider_id: r.provider_id, record_id: r.record_id, published_ms: r.published_at.getTime(), expires_ms: r.expires_at.getTime() }));
}

export async function insertBandPostings(tx: Tx, postings: readonly BandPosting[]): Promise<void> {
  if (postings.length === 0) return;
  const w = new BinaryCopyWriter(postings.length * 64);
  for (const p of postings) {
    w.row([{ t: 'int8', v: p.bkey }, { t: 'int4', v: p.epoch }, { t: 'text', v: p.provider_id }, { t: 'text', v: p.record_id }, { t: 'timestamptz', ms: p.published_ms }, { t: 'timestamptz', ms: p.expires_ms }]);
  }
  await copyBinary(tx, 'match_bands', ['bkey', 'epoch', 'provider_id', 'record_id', 'published_at', 'expires_at'], w.finish());
}

export async function deleteBandPostings(tx: Tx, providerId: string, recordIds: readonly string[], bkeys: readonly bigint[]): Promise<void> {
  if (bkeys.length === 0 || recordIds.length === 0) return;
  await tx`DELETE FROM match_bands WHERE bkey = ANY(${bkeys.map(String)}::bigint[]) AND provider_id = ${providerId} AND record_id = ANY(${recordIds as string[]}::text[])`;
}
