import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CordonError } from '../../src/errors.js';
import { outcomeOf, stateUnchanged } from '../fuzz/harness/outcome.js';
import { runTarget } from '../fuzz/harness/run-target.js';
import { defineTarget, prepared } from '../fuzz/harness/target.js';

/**
 * The fuzz harness fails a target when its property is broken: a crash
 * (any exception but a clear refusal), a refusal with an unexpected code,
 * a case over the time limit, or a refusal that changed state. Each case
 * below is a target with that defect planted.
 */
const target = (check: (n: number) => string | Promise<string>) =>
  defineTarget({ name: 'planted', covers: 'a planted defect', prepare: async () => prepared({ arbitrary: fc.nat({ max: 100 }), check }) });

describe('fuzz harness', () => {
  it('passes a target that only accepts or refuses clearly, and tallies the outcomes', async () => {
    const summary = await runTarget(target((n) => outcomeOf(() => { if (n % 2) throw new CordonError('INVALID_INPUT', `n: ${n} is odd`); return n; }, { kind: 'cordon', codes: ['INVALID_INPUT'] })), { runs: 200, seed: 1 });
    expect(summary.outcomes.accepted).toBeGreaterThan(0);
    expect(summary.outcomes.INVALID_INPUT).toBeGreaterThan(0);
  });

  it('fails a target that crashes with anything but a clear refusal', async () => {
    await expect(runTarget(target((n) => outcomeOf(() => (n > 50 ? (null as unknown as { x: number }).x : n), { kind: 'cordon', codes: ['INVALID_INPUT'] })), { runs: 200, seed: 1 }))
      .rejects.toThrow(/crashed instead of a clear refusal: TypeError/);
  });

  it('fails a refusal with a code the entry point does not document', async () => {
    await expect(runTarget(target((n) => outcomeOf(() => { throw new CordonError('INTERNAL', `n: ${n}`); }, { kind: 'cordon', codes: ['INVALID_INPUT'] })), { runs: 10, seed: 1 }))
      .rejects.toThrow(/refused with code INTERNAL/);
  });

  it('fails a case that runs over the per-case time limit (a hang)', async () => {
    await expect(runTarget(target(async (n) => { if (n > 90) await new Promise((r) => setTimeout(r, 300)); return 'accepted'; }), { runs: 500, seed: 1, caseTimeLimitMs: 100 }))
      .rejects.toThrow(/per-case limit|timeout/i);
  });

  it('fails a refusal that changed state', async () => {
    const state = { size: 0 };
    await expect(runTarget(target((n) => {
      const before = state.size;
      state.size += n > 80 ? 1 : 0;
      const outcome = outcomeOf(() => { throw new CordonError('INVALID_INPUT', 'always refused'); }, { kind: 'cordon', codes: ['INVALID_INPUT'] });
      stateUnchanged(state.size === before, `size ${before} → ${state.size}`);
      return outcome;
    }), { runs: 300, seed: 1 })).rejects.toThrow(/a refused input changed state/);
  });
});
