/** What `cordon demo` measured and showed; printed at the end (and as JSON for tests and scripts). */
export interface DemoSummary {
  providers: string[];
  records_published: number;
  /** Background watchlists: signed, sent, verified and committed, end to end. */
  publish_records_per_s: number;
  replication_converged_ms: number;
  /** Worst over the providers the campaign hit: from publishing its suspects to the first alert in its inbox. */
  alert_latency_ms: number;
  /** Per provider: template signatures it published with its suspects (keyed MinHash of prompt skeletons). */
  template_signatures: Record<string, number>;
  planted_campaign: {
    simulated_id: string;
    kind: string;
    accounts: number;
    providers: string[];
    /** The consortium's campaign id it was found as. */
    found_as: string;
    found_at_providers: string[];
    planted_accounts_found: number;
    /** The consortium's score of the campaign, and what it is made of (src/match/score.ts). */
    score: number;
    score_explained: string;
  };
  alerts_received: Record<string, number>;
  case: { id: string; asked: string[]; answered_by: string[]; status: string; answers_verified: number };
  report: { id: string; regulator: string; received: boolean; held_by_regulator: number; logged_by: string[] };
  log_verified: { logs: Record<string, number>; findings: number; verified: boolean; finding_details: string[] };
  tampered_batch: string;
  regulator_write: string;
  regulator_console_write: number;
  nodes: Record<string, string>;
  /** Console addresses with their access tokens. */
  consoles: Record<string, string>;
}

/** The summary's headline, one line per claim the demo makes. */
export function summaryLines(s: DemoSummary): string[] {
  const p = s.planted_campaign;
  return [
    `planted campaign ${p.simulated_id} (${p.kind}) found as ${p.found_as} across ${p.found_at_providers.join(', ')}: ${p.planted_accounts_found} of ${p.accounts} planted accounts`,
    p.score_explained,
    `published ${s.records_published.toLocaleString('en-US')} records at ${s.publish_records_per_s.toLocaleString('en-US')} records/s; alert latency ${s.alert_latency_ms} ms`,
    `case ${s.case.id}: asked ${s.case.asked.join(', ')}, answered by ${s.case.answered_by.join(', ')} (${s.case.answers_verified} signed answers verified); ${s.case.status}`,
    `report ${s.report.id.slice(0, 16)}… received by ${s.report.regulator}, logged by ${s.report.logged_by.join(', ')}`,
    `log verified by the witness: ${s.log_verified.verified ? 'yes' : 'NO'} (${Object.entries(s.log_verified.logs).map(([l, n]) => `${l} ${n} entries`).join(', ')}; ${s.log_verified.findings} findings)`,
  ];
}
