import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { FuzzViolation } from './outcome.js';
import type { FuzzTarget } from './target.js';

/**
 * Runs one target as a fast-check property. Each case is timed: one that
 * takes longer than the per-case limit fails as a (near-)hang, with its
 * input, since parsers that go quadratic on hostile input are a denial of
 * service. An asynchronous case that never settles is cut off by
 * fast-check's timeout; a synchronous infinite loop cannot be interrupted
 * in-process, which is why `npm run fuzz` (run.ts) runs every target in a
 * child process under a watchdog.
 */
export interface RunOptions {
  runs: number;
  seed?: number;
  /** Per-case limit; generous because CI machines are shared and GC pauses count. */
  caseTimeLimitMs?: number;
  /** Called every PROGRESS_EVERY cases (the runner's watchdog listens). */
  onProgress?: (cases: number) => void;
}

export interface RunSummary {
  target: string;
  runs: number;
  seed: number;
  ms: number;
  slowestCaseMs: number;
  /** Cases per outcome ('accepted' or a refusal code), shrinking included. */
  outcomes: Record<string, number>;
}

export const DEFAULT_CASE_TIME_LIMIT_MS = 2_000;
export const PROGRESS_EVERY = 500;

export async function runTarget(target: FuzzTarget, opts: RunOptions): Promise<RunSummary> {
  const limit = opts.caseTimeLimitMs ?? DEFAULT_CASE_TIME_LIMIT_MS;
  const seed = opts.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const prepared = await target.prepare();
  let cases = 0;
  let slowest = 0;
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  try {
    const property = fc.asyncProperty(prepared.arbitrary, async (input) => {
      const t0 = performance.now();
      const outcome = await prepared.check(input);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const ms = performance.now() - t0;
      if (ms > limit) throw new FuzzViolation(`one case took ${ms.toFixed(0)} ms, over the ${limit} ms per-case limit (a hang or super-linear work on hostile input)`);
      slowest = Math.max(slowest, ms);
      // A parser that assigns through a hostile "__proto__" key would reach every object in the process.
      if ((Object.prototype as Record<string, unknown>)['polluted'] !== undefined) throw new FuzzViolation('Object.prototype was polluted');
      if (++cases % PROGRESS_EVERY === 0) opts.onProgress?.(cases);
    });
    await fc.assert(property, { numRuns: opts.runs, seed, timeout: limit, includeErrorInReport: true });
  } finally {
    await prepared.close?.();
  }
  return { target: target.name, runs: opts.runs, seed, ms: Math.round(performance.now() - started), slowestCaseMs: Math.round(slowest), outcomes };
}
