import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTarget, type RunSummary } from './harness/run-target.js';
import { TARGETS } from './targets.js';

/**
 * `npm run fuzz [-- NAME…] [--runs N] [--seed S] [--case-ms MS]`
 *
 * Runs every fuzz target (or the named ones) with DEFAULT_RUNS cases each
 * (FUZZ_RUNS overrides), one child process per target under a watchdog: a
 * synchronous infinite loop cannot be interrupted inside the process that
 * runs it, so the parent kills a child that reports no progress for
 * WATCHDOG_MS and reports the hang with the seed that reproduces it.
 * Prints one JSON line per target and a summary line; exits 1 on any failure.
 */
const DEFAULT_RUNS = 100_000;
/** Far above the slowest target's time per PROGRESS_EVERY cases, far below a CI job's patience. */
const WATCHDOG_MS = 120_000;

type ChildMessage = { progress: number } | { summary: RunSummary } | { failure: string };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string' },
    seed: { type: 'string' },
    'case-ms': { type: 'string' },
    child: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});

const runs = Number(values.runs ?? process.env.FUZZ_RUNS ?? DEFAULT_RUNS);
const seed = values.seed === undefined ? undefined : Number(values.seed);
const caseTimeLimitMs = values['case-ms'] === undefined ? undefined : Number(values['case-ms']);

if (values.child) await runChild(positionals[0]!);
else await runAll();

async function runChild(name: string): Promise<void> {
  const target = TARGETS.find((t) => t.name === name)!;
  const send = (m: ChildMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  try {
    const summary = await runTarget(target, { runs, ...(seed !== undefined ? { seed } : {}), ...(caseTimeLimitMs !== undefined ? { caseTimeLimitMs } : {}), onProgress: (progress) => void send({ progress }) });
    await send({ summary });
  } catch (err) {
    await send({ failure: err instanceof Error ? err.message : String(err) });
  }
  process.exit(0);
}

async function runAll(): Promise<void> {
  if (values.list) {
    for (const t of TARGETS) console.log(`${t.name}\t${t.covers}`);
    return;
  }
  const unknown = positionals.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) {
    console.error(`unknown fuzz target(s): ${unknown.join(', ')} (known: ${TARGETS.map((t) => t.name).join(', ')})`);
    process.exit(2);
  }
  const selected = positionals.length > 0 ? TARGETS.filter((t) => positionals.includes(t.name)) : TARGETS;
  const failed: string[] = [];
  for (const target of selected) {
    const result = await runInChild(target.name);
    console.log(JSON.stringify(result));
    if (!('summary' in result)) failed.push(target.name);
  }
  console.log(JSON.stringify({ bench: 'fuzz', runs_per_target: runs, targets: selected.length, failed: failed.length, failed_targets: failed }));
  process.exit(failed.length === 0 ? 0 : 1);
}

function runInChild(name: string): Promise<{ target: string } & ({ summary: RunSummary } | { failure: string })> {
  const args = ['--child', name, '--runs', String(runs), ...(seed !== undefined ? ['--seed', String(seed)] : []), ...(caseTimeLimitMs !== undefined ? ['--case-ms', String(caseTimeLimitMs)] : [])];
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), args, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    let progress = 0;
    let settled = false;
    const finish = (r: { summary: RunSummary } | { failure: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      resolve({ target: name, ...r });
    };
    let watchdog = setTimeout(hang, WATCHDOG_MS);
    function hang(): void {
      child.kill('SIGKILL');
      finish({ failure: `hung: no progress for ${WATCHDOG_MS / 1000} s after ${progress} cases${seed !== undefined ? ` (seed ${seed})` : ''}; the case after ${progress} never finished` });
    }
    child.on('message', (m: ChildMessage) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(hang, WATCHDOG_MS);
      if ('progress' in m) progress = m.progress;
      else finish(m);
    });
    child.on('exit', (code, signal) => finish({ failure: `child exited (${signal ?? code}) without a result after ${progress} cases` }));
  });
}
