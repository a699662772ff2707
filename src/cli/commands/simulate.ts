import { CordonError } from '../../errors.js';
import { simulate } from '../../simulate/simulate.js';
import { CAMPAIGN_KINDS, type CampaignKind } from '../../simulate/world/campaigns.js';
import { integerOption, parseCommandArgs, requireOption, type Command } from '../command.js';
import { QUIET_HELP, QUIET_OPTION, startProgress } from '../progress.js';

const MAX_PROVIDERS = 64;

function stealthOption(raw: unknown): number {
  if (raw === undefined) return 0.5;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x) || x < 0 || x > 1) {
    throw new CordonError('INVALID_INPUT', `cordon simulate: --stealth must be a number from 0 to 1, got '${String(raw)}'`);
  }
  return x;
}

function campaignsOption(raw: unknown): CampaignKind[] {
  if (raw === undefined || raw === 'all') return [...CAMPAIGN_KINDS];
  if (raw === 'none') return [];
  const kinds = String(raw).split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) {
    if (!(CAMPAIGN_KINDS as readonly string[]).includes(k)) {
      throw new CordonError('INVALID_INPUT', `cordon simulate: unknown campaign kind '${k}' (kinds: ${CAMPAIGN_KINDS.join(', ')}, or all, none)`);
    }
  }
  return [...new Set(kinds)] as CampaignKind[];
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'generate labelled multi-provider usage logs and their ground truth',
  help: `Usage: cordon simulate --providers N --seed S --out DIR [options]

Writes deterministic, labelled usage logs (the same seed gives the same bytes):
  DIR/logs/<provider>.jsonl (or .csv)  one time-ordered log per provider: ts, provider, account,
                                       created, api_key, email, phone, ip, asn, payment, device,
                                       model, prompt, in_tokens, out_tokens
  DIR/ground-truth.jsonl               every account's benign population or campaign id, and
                                       every campaign's kind, stealth, providers and accounts
Benign populations: casual-chat, developer, enterprise-batch, eval-harness, rag-product,
academic-research. Campaign kinds: ${CAMPAIGN_KINDS.join(', ')}.
Output is streamed: sizes from thousands to tens of millions of lines.

Options:
  --providers N     number of providers (1-${MAX_PROVIDERS})                          required
  --seed S          seed of the generator (a whole number)                     required
  --out DIR         output directory, created if missing                       required
  --accounts A      accounts across all providers (default 5000)
  --lines L         log lines across all providers, approximately (default 100000)
  --stealth X       0 = blatant campaigns ... 1 = campaigns imitating ordinary power users;
                    each campaign varies ±0.15 around it (default 0.5)
  --format F        jsonl or csv (default jsonl)
  --campaigns LIST  comma-separated campaign kinds, 'all' or 'none' (default all)
  --days D          length of the simulated period in days (default 14)
  --json            print the summary as one JSON object
${QUIET_HELP}

Example:
  cordon simulate --providers 3 --seed 7 --accounts 20000 --lines 500000 --out sim/`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('simulate', argv, {
      providers: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      accounts: { type: 'string' },
      lines: { type: 'string' },
      stealth: { type: 'string' },
      format: { type: 'string' },
      campaigns: { type: 'string' },
      days: { type: 'string' },
      json: { type: 'boolean' },
      ...QUIET_OPTION,
    });
    if (positionals.length > 0) throw new CordonError('INVALID_INPUT', `cordon simulate: unexpected argument '${positionals[0]}' (see cordon simulate --help)`);
    requireOption('simulate', values, 'providers');
    requireOption('simulate', values, 'seed');
    const out = requireOption('simulate', values, 'out');
    const providers = integerOption('simulate', values, 'providers', 1, 1);
    if (providers > MAX_PROVIDERS) throw new CordonError('INVALID_INPUT', `cordon simulate: --providers must be at most ${MAX_PROVIDERS}, got ${providers}`);
    const seed = integerOption('simulate', values, 'seed', 0, 0);
    const accounts = integerOption('simulate', values, 'accounts', 5000, 50 * providers);
    const lines = integerOption('simulate', values, 'lines', Math.max(100_000, accounts * 2), accounts);
    const days = integerOption('simulate', values, 'days', 14, 3);
    if (days > 366) throw new CordonError('INVALID_INPUT', `cordon simulate: --days must be at most 366, got ${days}`);
    const format = values.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new CordonError('INVALID_INPUT', `cordon simulate: --format must be jsonl or csv, got '${format}'`);
    const stealth = stealthOption(values.stealth);
    const campaigns = campaignsOption(values.campaigns);

    const progress = startProgress(io, values, { label: 'simulate', unit: 'lines', total: lines });
    const started = Date.now();
    const result = await simulate({ providers, seed, accounts, lines, stealth, campaigns, days, out, format, onProgress: (n) => progress.update(n) });
    progress.end();
    const seconds = (Date.now() - started) / 1000;
    if (values.json) {
      io.out(JSON.stringify({ ...result, seed, stealth, seconds }, null, 2));
      return 0;
    }
    for (const log of result.logs) io.out(`${log.path}: ${log.lines} lines, ${log.accounts} accounts`);
    io.out(`${result.truth}: ${result.accounts} accounts, ${result.campaigns} campaigns`);
    io.out(`simulated ${result.lines} lines in ${seconds.toFixed(1)} s (seed ${seed}, stealth ${stealth})`);
    return 0;
  },
};
