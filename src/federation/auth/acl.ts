import type { Role } from '../membership/schema.js';

/**
 * Who may call what: the one place that decides, per RPC, which caller roles
 * are allowed, and whether the RPC writes. A node whose own role is
 * `regulator` refuses every write, whoever calls, except the one marked
 * `regulatorInbox` (providers filing reports to it); a caller whose role is
 * `regulator` is refused every write.
 *
 * `ownOnly` roles may call the RPC only about themselves (a provider reads
 * its own chain head, never another provider's).
 */
export interface AclEntry {
  readonly write: boolean;
  readonly roles: readonly Role[];
  readonly ownOnly?: readonly Role[];
  /**
   * A write into the regulator's own inbox (a provider filing a report): the
   * one kind of write a regulator node accepts, and only from the roles
   * listed. The regulator is never among the writers of any entry, so it
   * still cannot write anything into the federation.
   */
  readonly regulatorInbox?: true;
}

export const ACL: Readonly<Record<string, AclEntry>> = {
  'cordon.v1.FederationService/Publish': { write: true, roles: ['provider', 'consortium'], ownOnly: ['provider'] },
  'cordon.v1.FederationService/UpdateManifest': { write: true, roles: ['provider', 'consortium'] },
  'cordon.v1.FederationService/GetHeads': { write: false, roles: ['provider', 'consortium', 'regulator'], ownOnly: ['provider'] },
  'cordon.v1.FederationService/FetchBatches': { write: false, roles: ['provider', 'consortium', 'regulator'], ownOnly: ['provider'] },
  'cordon.v1.FederationService/GetManifest': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.FederationService/ListEquivocations': { write: false, roles: ['consortium', 'regulator'] },
  // Transparency log (src/audit/service): read-only, for every role; served by consortium nodes.
  'cordon.v1.TransparencyLogService/GetTreeHead': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.TransparencyLogService/GetInclusionProof': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.TransparencyLogService/GetConsistencyProof': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.TransparencyLogService/GetEntries': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.TransparencyLogService/ListObservedTreeHeads': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  // Oblivious tokenization (src/federation/oprf): providers evaluate; consortium nodes run key ceremonies among themselves.
  'cordon.v1.OprfService/Evaluate': { write: true, roles: ['provider'] },
  'cordon.v1.OprfService/GetKeyInfo': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.OprfService/Deal': { write: true, roles: ['consortium'] },
  'cordon.v1.OprfService/Finalize': { write: true, roles: ['consortium'] },
  // Alerts go to providers (their own) and consortium members (operator alerts); what each may see is src/match/disclosure.ts.
  'cordon.v1.AlertService/WatchAlerts': { write: false, roles: ['provider', 'consortium'] },
  'cordon.v1.AlertService/SubmitFeedback': { write: true, roles: ['provider'] },
  'cordon.v1.AlertService/ListCampaigns': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.AlertService/GetCampaign': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.RegulatorService/FileReport': { write: true, roles: ['provider'], ownOnly: ['provider'], regulatorInbox: true },
  'cordon.v1.RegulatorService/ListReports': { write: false, roles: ['provider', 'regulator'], ownOnly: ['provider'] },
  'cordon.v1.RegulatorService/GetReport': { write: false, roles: ['provider', 'regulator'], ownOnly: ['provider'] },
  'cordon.v1.RegulatorService/GetAggregates': { write: false, roles: ['regulator'] },
  'cordon.v1.ReportLogService/RecordReport': { write: true, roles: ['provider'], ownOnly: ['provider'] },
  // Bilateral PSI: providers peer directly; consortium nodes log the signed summary (src/investigate/psi).
  'cordon.v1.PsiService/Intersect': { write: false, roles: ['provider'] },
  'cordon.v1.PsiAuditService/RecordPsiSummary': { write: true, roles: ['provider'] },
  // Investigations (src/investigate/cases): providers open and answer cases; the regulator reads escalated cases and probing flags.
  'cordon.v1.InvestigationService/OpenCase': { write: true, roles: ['provider'] },
  'cordon.v1.InvestigationService/ListCases': { write: false, roles: ['provider', 'regulator'] },
  'cordon.v1.InvestigationService/WatchCases': { write: false, roles: ['provider', 'regulator'] },
  'cordon.v1.InvestigationService/GetCase': { write: false, roles: ['provider', 'regulator'] },
  'cordon.v1.InvestigationService/Respond': { write: true, roles: ['provider'] },
  'cordon.v1.InvestigationService/Escalate': { write: true, roles: ['provider'] },
  'cordon.v1.InvestigationService/CloseCase': { write: true, roles: ['provider'] },
  'cordon.v1.InvestigationService/ListProbingFlags': { write: false, roles: ['consortium', 'regulator'] },
};

export type AclDecision = { allowed: true; ownOnly: boolean } | { allowed: false; reason: string };

export function authorize(rpc: string, callerRole: Role, nodeRole: Role): AclDecision {
  const entry = ACL[rpc];
  if (!entry) return { allowed: false, reason: `${rpc} is not in the ACL` };
  if (entry.write && nodeRole === 'regulator' && !entry.regulatorInbox) return { allowed: false, reason: `${rpc} writes, and this regulator node is read-only` };
  // Whatever the table says, the regulator writes nothing anywhere.
  if (entry.write && callerRole === 'regulator') return { allowed: false, reason: `${rpc} writes, and the regulator writes nothing into the federation` };
  if (!entry.roles.includes(callerRole)) return { allowed: false, reason: `role ${callerRole} may not call ${rpc}` };
  return { allowed: true, ownOnly: entry.ownOnly?.includes(callerRole) ?? false };
}
