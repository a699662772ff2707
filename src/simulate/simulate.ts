import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatLine, csvHeader, type LogFormat } from './format.js';
import { models, providerLines } from './generate.js';
import { accountIds } from './ids.js';
import { planScenario, type ScenarioOptions } from './plan.js';
import { TRUTH_FILE, type AccountLine, type CampaignLine, type ScenarioLine } from './truth.js';
import { buildCampaign } from './world/campaigns.js';
import type { Actor } from './world/actor.js';
import type { BuildContext } from './world/context.js';
import { BUILDERS, OrgRegistry, POPULATIONS } from './world/populations.js';
import { Rng } from './prng.js';
import { LineWriter } from '../detect/log/writer.js';

export interface SimulateOptions extends ScenarioOptions {
  readonly out: string;
  readonly format: LogFormat;
  /** Called now and then with lines written so far (for a progress display). */
  readonly onProgress?: (lines: number) => void;
}

export interface SimulateResult {
  readonly logs: readonly { provider: string; path: string; lines: number; accounts: number }[];
  readonly truth: string;
  readonly campaigns: number;
  readonly accounts: number;
  readonly lines: number;
}

/** Lines between progress calls: fine enough for any display interval, and the call is only a clock read. */
const PROGRESS_EVERY = 1_000;

/**
 * Writes `<out>/logs/<provider>.<jsonl|csv>` for every provider and
 * `<out>/ground-truth.jsonl`. Providers are generated one after another, so
 * only one provider's accounts are in memory at a time.
 */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const scenario = planScenario(options);
  const logDir = join(options.out, 'logs');
  await mkdir(logDir, { recursive: true });
  const truthPath = join(options.out, TRUTH_FILE);
  const truth = new LineWriter(truthPath);
  const header: ScenarioLine = {
    kind: 'scenario',
    seed: options.seed,
    stealth: options.stealth,
    accounts: options.accounts,
    lines: options.lines,
    start: new Date(scenario.worlds[0]?.origin ?? 0).toISOString(),
    end: new Date(scenario.worlds[0]?.end ?? 0).toISOString(),
    providers: scenario.worlds.map((w) => ({ name: w.name, release: new Date(w.release).toISOString(), new_model: models(w).released })),
    populations: POPULATIONS.map((p) => ({ name: p.name, heavy: p.heavy })),
    campaign_kinds: [...options.campaigns],
  };
  await truth.write(JSON.stringify(header) + '\n');

  const orgs = new OrgRegistry(scenario);
  const campaignAccounts = new Map<string, string[]>(scenario.campaigns.map((c) => [c.id, []]));
  const logs: { provider: string; path: string; lines: number; accounts: number }[] = [];
  let total = 0;
  let totalAccounts = 0;
  for (const world of scenario.worlds) {
    const parts = scenario.populations[world.index] ?? [];
    const capacity = parts.reduce((a, p) => a + p.accounts, 0) + scenario.campaigns.reduce((a, c) => a + c.accounts.reduce((x, y) => x + y, 0), 0);
    const ctx: BuildContext = { world, keys: scenario.keys, phones: scenario.phones, newAccount: accountIds(world.name, options.seed + world.index, capacity) };
    // (Appended in loops, not spread: a spread of a million actors overflows the call stack.)
    const actors: Actor[] = [];
    parts.forEach((part, i) => {
      if (part.accounts > 0) for (const a of BUILDERS[part.name](ctx, new Rng(options.seed, 1000 * world.index + i), part.accounts, part.lines, orgs)) actors.push(a);
    });
    for (const plan of scenario.campaigns) {
      const at = plan.providers.indexOf(world.index);
      if (at < 0) continue;
      const ids = campaignAccounts.get(plan.id) as string[];
      for (const a of buildCampaign(ctx, plan, at)) {
        ids.push(a.account);
        actors.push(a);
      }
    }
    for (const a of actors) {
      const line: AccountLine = { kind: 'account', account: a.account, provider: world.name, label: a.label, campaign: campaignAccounts.has(a.label) };
      await truth.write(JSON.stringify(line) + '\n');
    }
    totalAccounts += actors.length;

    const path = join(logDir, `${world.name}.${options.format}`);
    const out = new LineWriter(path);
    if (options.format === 'csv') await out.write(csvHeader());
    let count = 0;
    for (const line of providerLines(world, actors)) {
      const wait = out.write(formatLine(line, options.format));
      if (wait) await wait;
      count++;
      if (options.onProgress && (total + count) % PROGRESS_EVERY === 0) options.onProgress(total + count);
    }
    await out.close();
    total += count;
    logs.push({ provider: world.name, path, lines: count, accounts: actors.length });
  }

  for (const plan of scenario.campaigns) {
    const line: CampaignLine = {
      kind: 'campaign',
      id: plan.id,
      type: plan.kind,
      stealth: Math.round(plan.stealth * 1000) / 1000,
      providers: plan.providers.map((p) => scenario.worlds[p]?.name ?? `p${p + 1}`),
      accounts: campaignAccounts.get(plan.id) ?? [],
    };
    await truth.write(JSON.stringify(line) + '\n');
  }
  await truth.close();
  return { logs, truth: truthPath, campaigns: scenario.campaigns.length, accounts: totalAccounts, lines: total };
}
