import type { IndicatorToken } from '../../views/indicator-token.js';
import { uuidv5 } from '../stix/ids.js';
import type { MispAttribute } from './types.js';

/**
 * MISP attributes for what Cordon exports. Tokens use MISP's `anonymised`
 * type ("an anonymised value"), category Other: that is what a keyed PRF
 * token is. Not `sha256` or another hash type: nobody could recompute it from
 * an identifier without the epoch key, and a hash type would invite exactly
 * that comparison. to_ids is false: a token is nothing a network sensor can
 * see. Each token carries its kind and epoch as tags, so MISP correlation
 * (exact value) links the events that share a token.
 */
const attribute = (eventUuid: string, a: Omit<MispAttribute, 'uuid' | 'disable_correlation'> & { disable_correlation?: boolean }): MispAttribute => ({
  uuid: uuidv5(`misp-attribute|${eventUuid}|${a.type}|${a.value}`),
  disable_correlation: false,
  ...a,
});

export function tokenAttribute(eventUuid: string, t: IndicatorToken, timestamp: string): MispAttribute {
  return attribute(eventUuid, {
    type: 'anonymised',
    category: 'Other',
    value: t.token_hex,
    to_ids: false,
    comment: `Cordon keyed token of a ${t.kind} identifier (epoch ${t.epoch}); not a hash of it: only consortium members holding the epoch key can compute it`,
    timestamp,
    Tag: [{ name: `cordon:token-kind="${t.kind}"` }, { name: `cordon:token-epoch="${t.epoch}"` }],
  });
}

export function campaignIdAttribute(eventUuid: string, campaignId: string, timestamp: string): MispAttribute {
  return attribute(eventUuid, { type: 'campaign-id', category: 'Attribution', value: campaignId, to_ids: false, comment: 'Cordon campaign id', timestamp });
}

/** Figures about a campaign, as text: shown in MISP, never correlated (they would link unrelated events). */
export function textAttribute(eventUuid: string, value: string, comment: string, timestamp: string): MispAttribute {
  return attribute(eventUuid, { type: 'text', category: 'Other', value, to_ids: false, comment, timestamp, disable_correlation: true });
}
