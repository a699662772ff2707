import { AlertKind } from '../gen/cordon/v1/alerts_pb.js';
import type { RunningNode } from '../federation/node/start-node.js';
import { wholeInbox } from '../web/views/whole-inbox.js';

/** The shared tokens a provider learned about a campaign: those in the overlap alerts it received (its own tokens, as published). */
export async function campaignTokens(node: RunningNode, campaignId: string, max: number): Promise<{ kind: number; value: Uint8Array }[]> {
  const seen = new Set<string>();
  const out: { kind: number; value: Uint8Array }[] = [];
  for (const { alert } of await wholeInbox(node.db.sql)) {
    if (alert.kind !== AlertKind.OVERLAP || alert.campaignId !== campaignId || alert.token.length !== 32 || alert.tokenKind === 0) continue;
    const hex = Buffer.from(alert.token).toString('hex');
    if (seen.has(hex) || out.length >= max) continue;
    seen.add(hex);
    out.push({ kind: alert.tokenKind, value: alert.token });
  }
  return out;
}
