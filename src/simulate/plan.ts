import { Rng } from './prng.js';
import { DAY_MS, HOUR_MS } from './timing/calendar.js';
import { CAMPAIGN_KINDS, KINDS, planCampaign, type CampaignKind, type CampaignPlan } from './world/campaigns.js';
import type { ProviderWorld } from './world/context.js';
import { Keys } from './world/keys.js';
import { POPULATIONS, type PopulationName } from './world/populations.js';

export interface ScenarioOptions {
  readonly providers: number;
  readonly seed: number;
  /** Accounts across all providers. */
  readonly accounts: number;
  /** Log lines across all providers (approximate: schedules end with the period). */
  readonly lines: number;
  /** 0 = blatant campaigns, 1 = campaigns that do everything they can to look ordinary. */
  readonly stealth: number;
  readonly campaigns: readonly CampaignKind[];
  readonly days: number;
}

/** The simulated period starts on a Monday so weekly rhythms line up. */
export const PERIOD_START = Date.UTC(2025, 2, 3);

/**
 * Campaigns are a minority of accounts but, being busy, a large share of
 * traffic — roughly what providers have reported. Scaled down when only some
 * campaign kinds are simulated.
 */
const CAMPAIGN_ACCOUNT_SHARE = 0.08;
const CAMPAIGN_LINE_SHARE = 0.25;
/** Above this many accounts a campaign kind is run as several independent operations. */
const ACCOUNTS_PER_OPERATION = 5000;
/** A campaign needs a few accounts at each provider it hits to be a campaign there at all. */
const MIN_ACCOUNTS_PER_PROVIDER = 2;

export interface PopulationPart {
  readonly name: PopulationName;
  readonly accounts: number;
  readonly lines: number;
}

export interface Scenario {
  readonly options: ScenarioOptions;
  readonly worlds: readonly ProviderWorld[];
  /** Benign populations per provider (indexed like worlds). */
  readonly populations: readonly (readonly PopulationPart[])[];
  readonly campaigns: readonly CampaignPlan[];
  readonly keys: Keys;
  readonly phones: Keys;
}

export function providerName(index: number): string {
  return `p${index + 1}`;
}

export function planScenario(options: ScenarioOptions): Scenario {
  const { providers, seed, accounts, lines, stealth, days } = options;
  const rng = new Rng(seed, 0x51a);
  const keys = new Keys();
  const phones = new Keys();
  // Providers release their new models a few hours apart, a little past mid-period.
  const releaseDay = Math.max(1, Math.min(days - 2, Math.floor(days * 0.55)));
  const worlds: ProviderWorld[] = [];
  for (let p = 0; p < providers; p++) {
    worlds.push({
      name: providerName(p),
      index: p,
      origin: PERIOD_START,
      days,
      end: PERIOD_START + days * DAY_MS,
      release: PERIOD_START + releaseDay * DAY_MS + (17 + 5 * p) * HOUR_MS,
      seed,
    });
  }

  const kinds = options.campaigns;
  let accountWeight = 0;
  let lineWeight = 0;
  for (const k of kinds) {
    accountWeight += KINDS[k].accountWeight;
    lineWeight += KINDS[k].lineWeight;
  }
  const allAccountWeight = CAMPAIGN_KINDS.reduce((a, k) => a + KINDS[k].accountWeight, 0);
  const allLineWeight = CAMPAIGN_KINDS.reduce((a, k) => a + KINDS[k].lineWeight, 0);
  const campaignAccounts = Math.round(accounts * CAMPAIGN_ACCOUNT_SHARE * (accountWeight / allAccountWeight));
  const campaignLines = Math.round(lines * CAMPAIGN_LINE_SHARE * (lineWeight / allLineWeight));

  const campaigns: CampaignPlan[] = [];
  let n = 0;
  for (const kind of kinds) {
    const spec = KINDS[kind];
    const kindAccounts = Math.max(MIN_ACCOUNTS_PER_PROVIDER, Math.round((campaignAccounts * spec.accountWeight) / accountWeight));
    const kindLines = Math.round((campaignLines * spec.lineWeight) / lineWeight);
    const operations = Math.max(1, Math.round(kindAccounts / ACCOUNTS_PER_OPERATION));
    for (let o = 0; o < operations; o++) {
      const opAccounts = Math.round(kindAccounts / operations);
      let where: number[] = [];
      for (let p = 0; p < providers; p++) if (spec.spread === 'all' || p === 0 || rng.chance(0.5)) where.push(p);
      // Start at a random provider so "some" campaigns do not all include p1.
      const shift = rng.int(0, providers - 1);
      where = where.map((p) => (p + shift) % providers).sort((a, b) => a - b);
      const maxProviders = Math.max(1, Math.floor(opAccounts / MIN_ACCOUNTS_PER_PROVIDER));
      where = where.slice(0, maxProviders);
      const perAccounts = where.map((_, i) => Math.floor(opAccounts / where.length) + (i < opAccounts % where.length ? 1 : 0));
      const perLines = perAccounts.map((a) => Math.round((kindLines / operations) * (a / opAccounts)));
      const stealthHere = Math.min(1, Math.max(0, stealth + rng.range(-0.15, 0.15)));
      n++;
      campaigns.push(planCampaign(`c${n}-${kind}`, kind, keys, stealthHere, where, perAccounts, perLines, days, () => phones.next()));
    }
  }

  const benignAccounts = Math.max(POPULATIONS.length, accounts - campaigns.reduce((a, c) => a + c.accounts.reduce((x, y) => x + y, 0), 0));
  const benignLines = Math.max(benignAccounts, lines - campaignLines);
  const populations: PopulationPart[][] = worlds.map((_, p) =>
    POPULATIONS.map((pop) => ({
      name: pop.name,
      accounts: share(Math.round(benignAccounts * pop.accountShare), providers, p),
      lines: share(Math.round(benignLines * pop.lineShare), providers, p),
    })),
  );
  return { options, worlds, populations, campaigns, keys, phones };
}

/** Provider p's part of `total` split as evenly as possible. */
function share(total: number, parts: number, p: number): number {
  return Math.floor(total / parts) + (p < total % parts ? 1 : 0);
}
