import type { RunningNode } from '../federation/node/start-node.js';
import { buildSignedReport } from '../regulator/reports/build-report.js';
import { hexOf } from '../regulator/reports/statements.js';
import { fileWithRegulator, keepFiled, recordWithConsortium, regulatorPeer, type Recorded } from '../regulator/reports/submit-report.js';
import { tokenKindName, type IndicatorToken } from '../regulator/views/indicator-token.js';
import { campaignTokens } from './campaign-tokens.js';

/** Indicators a demo report carries: enough to show the idea, well under the report limit. */
const REPORT_INDICATORS = 16;

export interface DemoReport { id: string; regulator: string; receivedMs: number; indicators: number; logged: Recorded[] }

/**
 * `cordon report file` as a provider does it after an alert: the shared
 * tokens from the overlap alerts about the campaign (tokens only, as
 * published) with a narrative, signed, filed with the regulator (signed
 * receipt checked and kept), then logged by every consortium node.
 */
export async function fileDemoReport(node: RunningNode, campaignId: string): Promise<DemoReport> {
  const epoch = node.membership.manifest.policy.token_epoch;
  const indicators: IndicatorToken[] = (await campaignTokens(node, campaignId, REPORT_INDICATORS)).flatMap((t) => {
    const kind = tokenKindName(t.kind);
    return kind ? [{ kind, token_hex: Buffer.from(t.value).toString('hex'), epoch }] : [];
  });
  const self = { id: node.config.id, key: node.key.privateKey };
  const built = buildSignedReport({
    providerId: self.id, campaignRef: campaignId, indicators, contact: `trust and safety desk of ${self.id}`,
    narrative: 'Accounts sharing payment instruments and network ranges with accounts at other providers harvested model outputs at scale; the consortium linked them into one campaign.',
  }, self.key);
  const filed = await fileWithRegulator(self, node.membership, regulatorPeer(node.membership), built);
  await keepFiled(node.db.sql, built, filed.receipt);
  const logged = await recordWithConsortium(self, node.membership, filed.entry);
  return { id: hexOf(built.digest), regulator: filed.receipt.regulatorId, receivedMs: Number(filed.receipt.receivedMs), indicators: indicators.length, logged };
}
