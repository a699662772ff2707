import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CordonError } from '../../errors.js';
import { DEFAULT_THRESHOLD } from '../../detect/detector.js';
import { toBytes, toText } from '../../detect/log/bytes.js';
import { parseTime } from '../../detect/log/time.js';
import { runDetection, type DetectProgress } from '../../detect/run.js';
import { DEFAULT_EXPIRY_DAYS } from '../../detect/suspects.js';
import { integerOption, parseCommandArgs, requireOption, type Command, type CommandIO } from '../command.js';
import { formatCount, QUIET_HELP, QUIET_OPTION, startProgress, type Progress } from '../progress.js';

/** Malformed lines printed one by one; the rest are counted. */
const MAX_REPORTED_MALFORMED = 20;
const LOG_FILE = /\.(jsonl|ndjson|json|csv)$/i;

/** Files as given; a directory stands for the log files directly inside it. */
async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new CordonError('INVALID_INPUT', `cordon detect: cannot read '${p}': no such file or directory`);
    }
    if (info.isDirectory()) {
      const inside = (await readdir(p)).filter((f) => LOG_FILE.test(f)).sort();
      if (inside.length === 0) throw new CordonError('INVALID_INPUT', `cordon detect: no .jsonl or .csv files in directory '${p}'`);
      files.push(...inside.map((f) => join(p, f)));
    } else files.push(p);
  }
  return files;
}

function releasesOption(raw: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of (raw as string[] | undefined) ?? []) {
    const eq = item.lastIndexOf('=');
    const at = eq > 0 ? parseTime(item.slice(eq + 1)) : NaN;
    if (eq <= 0 || Number.isNaN(at)) throw new CordonError('INVALID_INPUT', `cordon detect: --release must be MODEL=TIME (ISO 8601), got '${item}'`);
    out.set(toBytes(item.slice(0, eq)), at);
  }
  return out;
}

export const detectCommand: Command = {
  name: 'detect',
  summary: 'score accounts in usage logs for distillation and write suspects',
  help: `Usage: cordon detect LOGS... --out FILE [--threshold X] [--release MODEL=TIME]... [--expires-days N]

Streams usage logs (JSON lines or CSV, chosen by extension or content; a directory means the
.jsonl/.csv files in it) with constant memory per account, computes per-account features
(volume and burstiness, inter-arrival regularity, template reuse, chain-of-thought elicitation,
topical breadth, output/input token ratio, proxy rotation, account age vs volume, surges after
model releases), links accounts sharing payment methods, devices, mailboxes, phones, networks,
templates or timing into clusters, and scores accounts and clusters with a transparent model.
Every suspect carries the reasons behind its score.

FILE receives one suspect per line (the format cordon publish --raw reads), highest score first.
Malformed log lines are reported as FILE:LINE: reason and skipped.

Options:
  --out FILE              where to write the suspects (JSON lines)                  required
  --threshold X           flag accounts scoring at least X, 0-1 (default ${DEFAULT_THRESHOLD})
  --release MODEL=TIME    a model's release time, for post-release surges; repeatable
                          (default: a model first seen a day or more into a log counts as released then)
  --expires-days N        suspects expire N days from now (default ${DEFAULT_EXPIRY_DAYS})
  --json                  print the summary as one JSON object
${QUIET_HELP}

Example:
  cordon detect sim/logs --out suspects.jsonl`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('detect', argv, {
      out: { type: 'string' },
      threshold: { type: 'string' },
      release: { type: 'string', multiple: true },
      'expires-days': { type: 'string' },
      json: { type: 'boolean' },
      ...QUIET_OPTION,
    });
    const out = requireOption('detect', values, 'out');
    if (positionals.length === 0) throw new CordonError('INVALID_INPUT', 'cordon detect: needs at least one log file or directory (see cordon detect --help)');
    let threshold = DEFAULT_THRESHOLD;
    if (values.threshold !== undefined) {
      threshold = Number(values.threshold);
      if (values.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
        throw new CordonError('INVALID_INPUT', `cordon detect: --threshold must be a number from 0 to 1, got '${values.threshold}'`);
      }
    }
    const expiryDays = integerOption('detect', values, 'expires-days', DEFAULT_EXPIRY_DAYS, 1);
    const releases = releasesOption(values.release);
    const files = await expand(positionals);

    let reported = 0;
    const result = await runDetection({
      files,
      out,
      threshold,
      releases,
      expiryDays,
      onMalformed: (file, line, reason) => {
        if (reported++ < MAX_REPORTED_MALFORMED) io.err(`${file}:${line}: ${reason} (line skipped)`);
      },
      onProgress: progressDisplay(io, values),
    });
    if (result.malformed > MAX_REPORTED_MALFORMED) io.err(`... and ${result.malformed - MAX_REPORTED_MALFORMED} more malformed lines skipped`);
    if (result.records === 0) throw new CordonError('INVALID_INPUT', `cordon detect: no valid log lines in ${files.join(', ')} (${result.malformed} malformed)`);
    const d = result.detection;
    const clusters = d.clusters.length;
    const single = Array.from(d.flagged).filter((i) => d.cluster(i) === undefined).length;
    const releasesSeen = [...d.releases].map(([m, t]) => ({ model: toText(m), at: new Date(t).toISOString() }));
    if (values.json) {
      io.out(JSON.stringify({
        files, lines: result.lines, records: result.records, malformed: result.malformed, seconds: result.seconds,
        accounts: d.accounts, suspects: d.flagged.length, threshold, clusters, single_accounts: single, releases: releasesSeen, out,
      }, null, 2));
      return 0;
    }
    io.out(`read ${result.lines} lines from ${files.length} file${files.length === 1 ? '' : 's'} (${result.records} records, ${result.malformed} malformed and skipped) in ${result.seconds.toFixed(1)} s`);
    io.out(`${d.accounts} accounts; ${d.flagged.length} suspects (score ≥ ${threshold}) in ${clusters} cluster${clusters === 1 ? '' : 's'} and ${single} single accounts`);
    if (releasesSeen.length > 0) io.out(`model releases: ${releasesSeen.map((r) => `${r.model} at ${r.at}`).join(', ')}`);
    io.out(`suspects written to ${out}`);
    return 0;
  },
};

/** Reading shows bytes of log (the lines read beside them), then writing shows suspects: one reporter per phase. */
function progressDisplay(io: CommandIO, values: { quiet?: boolean; json?: boolean }): (p: DetectProgress) => void {
  let phase: DetectProgress['phase'] | undefined;
  let shown: Progress | undefined;
  return (p) => {
    if (p.phase !== phase) {
      shown?.end();
      phase = p.phase;
      shown = p.phase === 'read'
        ? startProgress(io, values, { label: 'detect: reading', unit: 'bytes', total: p.total })
        : startProgress(io, values, { label: 'detect: writing suspects', unit: 'suspects', total: p.total });
    }
    shown!.update(p.done, p.phase === 'read' ? `${formatCount(p.lines)} lines` : undefined);
    if (p.done >= p.total) shown!.end();
  };
}
