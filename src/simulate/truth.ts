import { z } from 'zod';

/**
 * The ground-truth file `cordon simulate` writes beside the logs (JSON lines):
 * one `scenario` line, one `account` line per account (its benign population
 * or its campaign id) and one `campaign` line per campaign (its kind, stealth,
 * providers and accounts). `cordon evaluate` scores a suspects file against it.
 */
export const TRUTH_FILE = 'ground-truth.jsonl';

export const ScenarioLine = z.object({
  kind: z.literal('scenario'),
  seed: z.number(),
  stealth: z.number(),
  accounts: z.number(),
  lines: z.number(),
  start: z.string(),
  end: z.string(),
  providers: z.array(z.object({ name: z.string(), release: z.string(), new_model: z.string() })),
  populations: z.array(z.object({ name: z.string(), heavy: z.boolean() })),
  campaign_kinds: z.array(z.string()),
});

export const AccountLine = z.object({
  kind: z.literal('account'),
  account: z.string(),
  provider: z.string(),
  /** A benign population name, or a campaign id. */
  label: z.string(),
  campaign: z.boolean(),
});

export const CampaignLine = z.object({
  kind: z.literal('campaign'),
  id: z.string(),
  type: z.string(),
  stealth: z.number(),
  providers: z.array(z.string()),
  accounts: z.array(z.string()),
});

export const TruthLine = z.discriminatedUnion('kind', [ScenarioLine, AccountLine, CampaignLine]);

export type ScenarioLine = z.infer<typeof ScenarioLine>;
export type AccountLine = z.infer<typeof AccountLine>;
export type CampaignLine = z.infer<typeof CampaignLine>;
export type TruthLine = z.infer<typeof TruthLine>;
