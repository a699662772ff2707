import type { KeyedIds } from '../ids.js';
import type { NewAlert } from '../store/alerts.js';
import type { AlertFacts, StoredAlert } from '../types.js';
import { providersOf, type Member } from './link-shape.js';

export interface LinkFacts {
  linkId: string;
  basis: 'token' | 'template';
  tokenKind?: number;
  token?: Uint8Array;
  similarity?: number;
  campaignId?: string;
  campaign?: { providers: number; records: number; score: number };
}

/**
 * Overlap alerts for a link whose members changed from `before` to `after`:
 * one alert per (recipient, counterpart) provider pair that did not exist
 * before. Each names only the recipient's own records. Pure. The caller
 * passes only participating providers' members (match-env.ts).
 */
export function overlapAlerts(link: LinkFacts, before: readonly Member[], after: readonly Member[], ids: KeyedIds): NewAlert[] {
  const was = new Set(providersOf(before));
  const now = providersOf(after);
  const out: NewAlert[] = [];
  for (const p of now) {
    for (const q of now) {
      if (q === p || (was.has(p) && was.has(q))) continue;
      const facts: AlertFacts = {
        link_id: link.linkId,
        basis: link.basis,
        own_records: after.filter((m) => m.provider === p).map((m) => m.record).sort(),
        other_providers: now.filter((x) => x !== p),
        counterpart: q,
        ...(link.tokenKind !== undefined ? { token_kind: link.tokenKind } : {}),
        ...(link.token ? { token: Buffer.from(link.token).toString('hex') } : {}),
        ...(link.similarity !== undefined ? { similarity: Math.round(link.similarity * 1000) / 1000 } : {}),
        ...(link.campaignId ? { campaign_id: link.campaignId } : {}),
        ...(link.campaign ? { campaign_providers: link.campaign.providers, campaign_records: link.campaign.records, campaign_score: link.campaign.score } : {}),
      };
      out.push({ alertId: ids.alert('overlap', p, link.linkId, q), recipient: p, kind: 'overlap', linkId: link.linkId, ...(link.campaignId ? { campaignId: link.campaignId } : {}), facts });
    }
  }
  return out;
}

/**
 * Withdrawals of earlier overlap alerts whose pair no longer holds: the link
 * is gone, or the recipient or its counterpart left it. Pure.
 */
export function withdrawalAlerts(sent: readonly StoredAlert[], linkProvidersNow: ReadonlyMap<string, ReadonlySet<string>>, reason: string, ids: KeyedIds): NewAlert[] {
  const out: NewAlert[] = [];
  for (const a of sent) {
    const linkId = a.facts.link_id;
    if (!linkId) continue;
    const now = linkProvidersNow.get(linkId);
    const holds = now && now.has(a.recipient) && a.facts.counterpart !== undefined && now.has(a.facts.counterpart);
    if (holds) continue;
    out.push({
      alertId: ids.alert('withdrawal', a.recipient, a.alertId),
      recipient: a.recipient,
      kind: 'withdrawal',
      linkId,
      ...(a.facts.campaign_id ? { campaignId: a.facts.campaign_id } : {}),
      facts: {
        link_id: linkId, withdrawn_alert_id: a.alertId, reason,
        own_records: a.facts.own_records ?? [],
        ...(a.facts.counterpart ? { counterpart: a.facts.counterpart } : {}),
        ...(a.facts.campaign_id ? { campaign_id: a.facts.campaign_id } : {}),
      },
    });
  }
  return out;
}
