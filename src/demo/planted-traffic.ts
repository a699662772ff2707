import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runDetection } from '../detect/run.js';
import { simulate } from '../simulate/simulate.js';
import { TRUTH_FILE, TruthLine, type CampaignLine } from '../simulate/truth.js';
import type { CampaignKind } from '../simulate/world/campaigns.js';

/**
 * The demo's traffic: seeded, labelled usage logs for every provider with one
 * planted cross-provider campaign (src/simulate), then each provider's own
 * detection over its own log only (src/detect) — the suspects file is what
 * `cordon detect` writes and `cordon publish --raw` reads.
 */
/** Shares payment fingerprints and IP ranges across providers: what token matching can find. */
export const PLANTED_KIND: CampaignKind = 'shared-infra';
/** Planted campaigns are blatant enough to detect, not cartoonish (0 blatant … 1 stealthy). */
const DEMO_STEALTH = 0.3;

export interface ProviderTraffic {
  /** The simulator's name for the provider (p1, p2, …). */
  simName: string;
  lines: number;
  accounts: number;
  suspectsFile: string;
  suspects: number;
  detectSeconds: number;
}

export interface PlantedTraffic {
  planted: CampaignLine;
  providers: ProviderTraffic[];
  simulateSeconds: number;
}

export async function plantedTraffic(dir: string, o: { providers: number; seed: number; accounts: number; lines: number }): Promise<PlantedTraffic> {
  const t0 = performance.now();
  const sim = await simulate({ providers: o.providers, seed: o.seed, accounts: o.accounts, lines: o.lines, stealth: DEMO_STEALTH, campaigns: [PLANTED_KIND], days: 14, out: dir, format: 'jsonl' });
  const simulateSeconds = (performance.now() - t0) / 1000;
  const truth = (await readFile(join(dir, TRUTH_FILE), 'utf8')).split('\n').filter(Boolean).map((l) => TruthLine.parse(JSON.parse(l)));
  const planted = truth.find((t): t is CampaignLine => t.kind === 'campaign');
  if (!planted) throw new Error(`the simulator planted no campaign in ${dir}`);
  const providers: ProviderTraffic[] = [];
  for (const log of sim.logs) {
    const suspectsFile = join(dir, `${log.provider}.suspects.jsonl`);
    const r = await runDetection({ files: [log.path], out: suspectsFile });
    providers.push({ simName: log.provider, lines: log.lines, accounts: log.accounts, suspectsFile, suspects: r.detection.flagged.length, detectSeconds: r.seconds });
  }
  return { planted, providers, simulateSeconds };
}
