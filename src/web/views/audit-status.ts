import type { Sql } from 'postgres';
import { listObservedHeads } from '../../audit/gossip/observed-heads-store.js';
import { latestTreeHead, listLogs } from '../../audit/log-store.js';
import { listFindings } from '../../audit/witness/findings-store.js';
import type { Role } from '../../federation/membership/schema.js';
import { listFiledReports } from '../../regulator/reports/report-store.js';
import { hexOf } from '../../regulator/reports/statements.js';

/** The node's own transparency log is stored under log id '' (log-store.ts). */
const OWN_LOG = '';
/** Filed reports listed on a provider's audit view. */
const RECEIPTS_SHOWN = 100;

export interface HeadView { log: string; size: number; root: string; signed_at: string; kid: string }
export interface LogVerdict { log: string; verdict: 'verified' | 'findings' | 'not yet witnessed'; head?: HeadView; findings: number }
export interface FindingView { kind: string; subject: string; log?: string; provider?: string; detail: string; first_seen: string; seen: number }

export interface AuditStatus {
  role: Role;
  own_log?: HeadView;
  peer_heads: HeadView[];
  witnessed: LogVerdict[];
  findings: FindingView[];
  receipts: { report: string; campaign: string; regulator: string; received: string }[];
  note: string;
}

const headView = (log: string, h: { size: number; root: Uint8Array; timestampMs?: number; timestamp?: number; kid: string }): HeadView =>
  ({ log, size: h.size, root: Buffer.from(h.root).toString('hex'), signed_at: new Date(h.timestampMs ?? h.timestamp ?? 0).toISOString(), kid: h.kid });

/**
 * What the node knows of the transparency logs, by role: a consortium node
 * its own signed head and the peers' heads it observed; the regulator the
 * head it accepted from each log as witness, a verdict per log and every
 * finding; a provider the regulator's receipts for the reports it filed.
 */
export async function auditStatus(sql: Sql, role: Role, consortiumIds: readonly string[]): Promise<AuditStatus> {
  const status: AuditStatus = { role, peer_heads: [], witnessed: [], findings: [], receipts: [], note: '' };
  if (role === 'consortium') {
    const own = await latestTreeHead(sql, OWN_LOG);
    if (own) status.own_log = headView('(this node)', own);
    status.peer_heads = (await listObservedHeads(sql)).map((h) => headView(h.logId, h.head));
    status.note = 'This node signs a head over every batch, retraction, query and report it accepted; peers and the regulator check each new head is consistent with the last.';
  } else if (role === 'regulator') {
    const findings = await listFindings(sql);
    status.findings = findings.map((f) => ({
      kind: f.kind, subject: f.subject, detail: f.detail, first_seen: f.firstSeenAt.toISOString(), seen: f.seen,
      ...(f.logId ? { log: f.logId } : {}), ...(f.providerId ? { provider: f.providerId } : {}),
    }));
    const copies = new Set((await listLogs(sql)).map((l) => l.logId).filter((id) => id !== OWN_LOG));
    for (const log of [...new Set([...consortiumIds, ...copies])].sort()) {
      const head = await latestTreeHead(sql, log);
      const n = findings.filter((f) => f.logId === log).length;
      status.witnessed.push({ log, verdict: n > 0 ? 'findings' : head ? 'verified' : 'not yet witnessed', findings: n, ...(head ? { head: headView(log, head) } : {}) });
    }
    status.note = 'As witness, this node accepts a log\'s new head only with a consistency proof from the last one it accepted, compares providers\' chain heads across logs, and records rollback, fork, split view or equivocation as findings.';
  } else {
    const rows = await listFiledReports(sql, { limit: RECEIPTS_SHOWN });
    status.receipts = rows.map((r) => ({ report: hexOf(r.digest), campaign: r.campaignRef, regulator: r.regulatorId, received: new Date(Number(r.receivedMs)).toISOString() }));
    status.note = 'Reports this provider filed, each with the regulator\'s signed receipt (kept as proof); consortium nodes log every filing.';
  }
  return status;
}
