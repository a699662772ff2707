import { CordonError } from '../../../errors.js';
import { checkCampaignView, type CampaignView } from '../../views/campaign-view.js';
import { stixId } from './ids.js';
import type { IndicatorObjects } from './indicators.js';
import { later, type StixObject } from './objects.js';
import { relationship } from './relationship.js';

/**
 * A `campaign` object per CampaignView, with its `indicates` and `targets`
 * relationships. created = first_seen; modified = updated_at (the view's
 * version stamp); confidence = round(score × 100); a withdrawn campaign is
 * `revoked` (its creator no longer stands by it). Cordon's own figures ride
 * in x_cordon_* properties.
 */
export function campaignObjects(
  views: readonly CampaignView[],
  providers: ReadonlyMap<string, StixObject>,
  indicators: IndicatorObjects,
  createdBy: string,
): { campaigns: Map<string, StixObject>; relationships: StixObject[] } {
  const campaigns = new Map<string, StixObject>();
  const relationships: StixObject[] = [];
  views.forEach((raw, i) => {
    const where = `campaigns[${i}]`;
    const c = checkCampaignView(raw, where);
    if (campaigns.has(c.id)) throw new CordonError('INVALID_INPUT', `${where}.id: duplicate campaign id ${JSON.stringify(c.id)}`);
    const targets = c.providers.map((p, j) => {
      const identity = providers.get(p);
      if (!identity) throw new CordonError('INVALID_INPUT', `${where}.providers[${j}]: unknown provider id ${JSON.stringify(p)}`);
      return identity.id;
    });
    const modified = later(c.first_seen, c.updated_at);
    const campaign: StixObject = {
      type: 'campaign', spec_version: '2.1', id: stixId('campaign', c.id), created: c.first_seen, modified, created_by_ref: createdBy,
      name: `Cordon campaign ${c.id}`,
      description: `Linked suspect accounts across ${c.provider_count} providers: ${c.account_count} accounts in ${c.record_count} records` +
        (c.shared_token_kinds.length ? `, sharing ${c.shared_token_kinds.join(', ')} tokens` : '') +
        (c.template_similarity !== null ? `, prompt templates up to ${Math.round(c.template_similarity * 100)}% similar` : '') + '.',
      first_seen: c.first_seen,
      last_seen: c.last_seen,
      confidence: Math.round(c.score * 100),
      x_cordon_campaign_id: c.id,
      x_cordon_score: c.score,
      x_cordon_status: c.status,
      x_cordon_provider_count: c.provider_count,
      x_cordon_record_count: c.record_count,
      x_cordon_account_count: c.account_count,
      x_cordon_shared_token_kinds: c.shared_token_kinds,
    };
    if (c.template_similarity !== null) campaign.x_cordon_template_similarity = c.template_similarity;
    if (c.labels.length > 0) campaign.labels = c.labels; // the schema wants ≥ 1 label when present
    if (c.status === 'withdrawn') campaign.revoked = true;
    campaigns.set(c.id, campaign);
    for (const token of c.indicators) {
      const indicatorId = indicators.add(token, c.first_seen, modified, c.status === 'active');
      relationships.push(relationship('indicates', indicatorId, campaign.id, c.first_seen, createdBy));
    }
    for (const target of targets) relationships.push(relationship('targets', campaign.id, target, c.first_seen, createdBy));
  });
  return { campaigns, relationships };
}
