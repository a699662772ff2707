import type { Tx } from '../log-store.js';
import type { Finding, FindingKind, StoredFinding } from './finding.js';

/** SQL for the witness's findings (migration 005, witness_findings). */

/** Stores a finding, or bumps `seen` if this (kind, subject) is known; true when it is new. */
export async function recordFinding(tx: Tx, f: Finding): Promise<boolean> {
  const [row] = await tx<{ seen: number }[]>`
    INSERT INTO witness_findings (kind, subject, log_id, provider_id, detail, evidence)
    VALUES (${f.kind}, ${f.subject}, ${f.logId ?? null}, ${f.providerId ?? null}, ${f.detail}, ${tx.json(f.evidence as never)})
    ON CONFLICT (kind, subject) DO UPDATE SET seen = witness_findings.seen + 1, last_seen_at = now()
    RETURNING seen`;
  return row!.seen === 1;
}

export async function listFindings(tx: Tx, filter: { kind?: FindingKind; logId?: string; providerId?: string } = {}): Promise<StoredFinding[]> {
  const rows = await tx<{ id: bigint; kind: FindingKind; subject: string; log_id: string | null; provider_id: string | null; detail: string; evidence: Record<string, unknown>; first_seen_at: Date; last_seen_at: Date; seen: number }[]>`
    SELECT id, kind, subject, log_id, provider_id, detail, evidence, first_seen_at, last_seen_at, seen FROM witness_findings
    WHERE true
      ${filter.kind ? tx`AND kind = ${filter.kind}` : tx``}
      ${filter.logId ? tx`AND log_id = ${filter.logId}` : tx``}
      ${filter.providerId ? tx`AND provider_id = ${filter.providerId}` : tx``}
    ORDER BY id`;
  return rows.map((r) => ({
    id: Number(r.id), kind: r.kind, subject: r.subject, detail: r.detail, evidence: r.evidence,
    ...(r.log_id !== null ? { logId: r.log_id } : {}),
    ...(r.provider_id !== null ? { providerId: r.provider_id } : {}),
    firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at, seen: r.seen,
  }));
}

/** Whether a finding with this (kind, subject) is stored. */
export async function hasFinding(tx: Tx, kind: FindingKind, subject: string): Promise<boolean> {
  const rows = await tx`SELECT 1 FROM witness_findings WHERE kind = ${kind} AND subject = ${subject}`;
  return rows.length > 0;
}
