import type { Sql, TransactionSql } from 'postgres';
import { TOKEN_BYTES } from '../../federation/chain/limits.js';
import type { RecordRef } from '../ids.js';

type Tx = TransactionSql | Sql;

/** Bytes per packed token in records.tokens: one kind byte, then the token. */
const PACKED_TOKEN_BYTES = 1 + TOKEN_BYTES;
const BAND_BYTES = 16;

export interface MatchRecord {
  provider_id: string;
  record_id: string;
  epoch: number;
  /** cordon.v1.RecordKind: 1 account, 2 template. */
  kind: number;
  tokens: { kind: number; token: Uint8Array }[];
  minhash: Uint32Array | null;
  bands: Uint8Array[];
  score: number;
  labels: string[];
  first_seen: Date;
  last_seen: Date;
  expires_at: Date;
}

interface RecordRow {
  provider_id: string; record_id: string; epoch: number; kind: number; tokens: Uint8Array;
  template_minhash: Uint8Array | null; template_bands: Uint8Array | null; score: number; labels: string[];
  first_seen: Date; last_seen: Date; expires_at: Date;
}

/** records.template_minhash holds the values as big-endian uint32s (see federation/chain/record-rows.ts). */
function minhashOf(bytes: Uint8Array | null): Uint32Array | null {
  if (!bytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.byteLength >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, false);
  return out;
}

function unpack(row: RecordRow): MatchRecord {
  const tokens: MatchRecord['tokens'] = [];
  for (let o = 0; o + PACKED_TOKEN_BYTES <= row.tokens.length; o += PACKED_TOKEN_BYTES) {
    tokens.push({ kind: row.tokens[o]!, token: row.tokens.subarray(o + 1, o + PACKED_TOKEN_BYTES) });
  }
  const bands: Uint8Array[] = [];
  const b = row.template_bands;
  if (b) for (let o = 0; o + BAND_BYTES <= b.length; o += BAND_BYTES) bands.push(b.subarray(o, o + BAND_BYTES));
  return {
    provider_id: row.provider_id, record_id: row.record_id, epoch: row.epoch, kind: row.kind, tokens,
    minhash: minhashOf(row.template_minhash), bands, score: row.score, labels: row.labels,
    first_seen: row.first_seen, last_seen: row.last_seen, expires_at: row.expires_at,
  };
}

const COLUMNS = 'provider_id, record_id, epoch, kind, tokens, template_minhash, template_bands, score, labels, first_seen, last_seen, expires_at';

/** The newest published version of each referenced record (a record id may be republished). */
export async function latestRecords(tx: Tx, refs: readonly RecordRef[]): Promise<MatchRecord[]> {
  if (refs.length === 0) return [];
  const rows = await tx.unsafe<RecordRow[]>(
    `SELECT DISTINCT ON (r.provider_id, r.record_id) ${COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')}
     FROM unnest($1::text[], $2::text[]) AS k(provider_id, record_id)
     JOIN records r ON r.provider_id = k.provider_id AND r.record_id = k.record_id
     ORDER BY r.provider_id, r.record_id, r.seq DESC`,
    [refs.map((r) => r.provider) as never, refs.map((r) => r.record) as never],
  );
  return rows.map(unpack);
}

/** Linked records whose expiry has passed and which are not retracted yet (the expiry sweep). */
export async function expiredLinkedRecords(tx: Tx, limit: number): Promise<RecordRef[]> {
  const rows = await tx<{ provider_id: string; record_id: string }[]>`
    SELECT DISTINCT m.provider_id, m.record_id FROM link_members m
    JOIN links l ON l.link_id = m.link_id AND l.withdrawn_at IS NULL
    WHERE NOT EXISTS (
      SELECT 1 FROM records r WHERE r.provider_id = m.provider_id AND r.record_id = m.record_id AND r.expires_at > now()
    )
    LIMIT ${limit}`;
  return rows.map((r) => ({ provider: r.provider_id, record: r.record_id }));
}

export interface PendingBatch { provider_id: string; seq: bigint; created_at: Date }

/** The oldest unmatched batch of each provider chain (a chain is matched in order). */
export async function pendingBatches(tx: Tx): Promise<PendingBatch[]> {
  const rows = await tx<{ provider_id: string; seq: string; created_at: Date }[]>`
    SELECT DISTINCT ON (provider_id) provider_id, seq, created_at FROM batches WHERE NOT matched ORDER BY provider_id, seq`;
  return rows.map((r) => ({ provider_id: r.provider_id, seq: BigInt(r.seq), created_at: r.created_at }));
}

export async function markMatched(tx: Tx, providerId: string, seq: bigint): Promise<void> {
  await tx`UPDATE batches SET matched = true WHERE provider_id = ${providerId} AND seq = ${seq.toString()}`;
}
