import type { AlertKind } from './ids.js';

/** What the matcher stores about an alert, before disclosure (see disclosure.ts). */
export interface AlertFacts {
  link_id?: string;
  campaign_id?: string;
  basis?: 'token' | 'template';
  token_kind?: number;
  /** Hex of the shared token: the recipient holds it in its own record. */
  token?: string;
  similarity?: number;
  /** The recipient's own records in the overlap (never another provider's). */
  own_records?: string[];
  /** Other providers involved; disclosure decides whether names or only their number leave the node. */
  other_providers?: string[];
  /** The provider this overlap alert pairs the recipient with (withheld like other_providers). */
  counterpart?: string;
  campaign_providers?: number;
  campaign_records?: number;
  campaign_score?: number;
  milestone?: string;
  withdrawn_alert_id?: string;
  reason?: string;
  verdict?: 'confirmed' | 'false_positive';
  feedback_from?: string;
  record_count?: number;
}

export interface StoredAlert {
  cursor: bigint;
  alertId: string;
  recipient: string;
  kind: AlertKind;
  createdMs: number;
  facts: AlertFacts;
}

/** Recipient of operator alerts (quarantine): every consortium member watching. */
export const OPERATOR_RECIPIENT = '@consortium';

export interface CampaignRow {
  campaign_id: string;
  epoch: number;
  status: 'active' | 'withdrawn' | 'merged';
  merged_into: string | null;
  providers: string[];
  record_count: number;
  account_count: number;
  template_count: number;
  token_kinds: number[];
  max_similarity: number;
  mean_provider_score: number;
  confirmed: number;
  false_positive: number;
  score: number;
  labels: string[];
  first_seen: Date;
  last_seen: Date;
  founded_at: Date;
  updated_at: Date;
}

export interface CampaignEvent { at: Date; kind: string; detail: Record<string, unknown> }
