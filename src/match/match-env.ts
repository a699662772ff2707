import type { Membership } from '../federation/membership/membership.js';
import type { KeyedIds } from './ids.js';

/**
 * The participation rule: only providers active in the manifest take part in
 * matching. From the moment a node adopts a manifest that suspends or revokes
 * a provider (Membership is read at each use, so the next batch sees it):
 *
 * - its records are no candidates for any link: the token index and template
 *   band hits skip them (link-tokens.ts, match-batch.ts), and a batch of its
 *   still pending is marked matched without linking its records (its
 *   retractions still withdraw: they only take back);
 * - no new overlap, growth or feedback alert goes to it or names it: overlap
 *   alerts pair active providers only (match-batch.ts), growth alerts go to
 *   and list active providers only (reconcile.ts), feedback alerts go to
 *   active providers only (feedback.ts). Withdrawals still take back, from
 *   whoever was told, what was told before (a provider whose suspension is
 *   lifted finds its inbox consistent);
 * - investigations do not route cases to it (Matcher.holders).
 *
 * What it was part of before stays as recorded history: links and campaigns
 * keep its records (a campaign's counts and listing still include it) and
 * alerts already told are not withdrawn. Withdrawing them at the revocation
 * would tell each counterpart, at that very moment, that the provider just
 * revoked was its counterpart, which `disclosure: count` withholds; and a
 * suspension may be lifted. When a provider is active again, its records
 * still in force are candidates again (the index and band postings keep
 * them; only lookups skip them), for batches matched from then on: what was
 * matched meanwhile is not revisited.
 */
export type Participates = (provider: string) => boolean;

export function participation(membership: Membership): Participates {
  return (provider) => membership.activeMember(provider, 'provider') !== undefined;
}

/** What matching needs beyond the database: how to name (keyed ids) and whom to involve (participation). */
export interface MatchEnv {
  readonly ids: KeyedIds;
  readonly participates: Participates;
}
