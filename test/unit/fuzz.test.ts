import { describe, it } from 'vitest';
import { runTarget } from '../fuzz/harness/run-target.js';
import { TARGETS } from '../fuzz/targets.js';

/**
 * CI's share of `npm run fuzz`: every target with a few hundred cases (a
 * fresh seed each run, printed on failure by fast-check, so a failure can be
 * replayed with `npm run fuzz -- NAME --seed S`). FUZZ_RUNS sets the count.
 */
const CI_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('hostile input: a clear error or a valid result, never a crash or hang', () => {
  for (const target of TARGETS) {
    it(`${target.name}: ${target.covers}`, async () => {
      await runTarget(target, { runs: CI_RUNS });
    });
  }
});
