import { TruthLine } from '../../simulate/truth.js';
import { SuspectSchema } from '../../fingerprint/suspect.js';
import { CordonError } from '../../errors.js';
import { forEachLine } from '../log/lines.js';
import type { Flagged, Truth, TruthAccount, TruthCampaign } from './metrics.js';

/** Reads the simulator's ground-truth file; any bad line is an error naming file and line. */
export async function loadTruth(path: string): Promise<Truth> {
  const accounts = new Map<string, TruthAccount>();
  const campaigns: TruthCampaign[] = [];
  let populations: { name: string; heavy: boolean }[] | undefined;
  await forEachLine(path, (line, no) => {
    if (line.trim() === '') return;
    let parsed;
    try {
      parsed = TruthLine.safeParse(JSON.parse(line));
    } catch {
      throw new CordonError('INVALID_INPUT', `${path}:${no}: not JSON`);
    }
    if (!parsed.success) throw new CordonError('INVALID_INPUT', `${path}:${no}: not a ground-truth line (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const t = parsed.data;
    if (t.kind === 'scenario') populations = t.populations;
    else if (t.kind === 'account') accounts.set(t.account, { label: t.label, campaign: t.campaign, provider: t.provider });
    else campaigns.push({ id: t.id, type: t.type, stealth: t.stealth, providers: t.providers, accounts: t.accounts });
  });
  if (!populations) throw new CordonError('INVALID_INPUT', `${path}: no scenario line; is this a ground-truth file from cordon simulate?`);
  return { accounts, campaigns, populations };
}

/**
 * Reads a suspects file (the output of `cordon detect`): each line must be a
 * valid suspect; only id and cluster matter for evaluation.
 */
export async function loadSuspects(path: string): Promise<Flagged[]> {
  const out: Flagged[] = [];
  await forEachLine(path, (line, no) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CordonError('INVALID_INPUT', `${path}:${no}: not JSON`);
    }
    const parsed = SuspectSchema.safeParse(value);
    if (!parsed.success) throw new CordonError('INVALID_INPUT', `${path}:${no}: not a suspect (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
    out.push({ id: parsed.data.id, cluster: parsed.data.cluster });
  });
  return out;
}
