import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSummary, verifySummarySignature } from '../../../src/investigate/psi/protocol/summary.js';
import type { ModeName } from '../../../src/investigate/psi/protocol/modes.js';
import { fulfilled, IDS, identityKeys, intersect, runSession } from './psi-harness.js';

const MODES: ModeName[] = ['both', 'one', 'size'];

/** Elements from a small alphabet, so random sets overlap often; unicode included. */
const element = fc.oneof(fc.integer({ min: 0, max: 60 }).map((i) => `acct-${i}`), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }));
const set = (maxLength: number) => fc.uniqueArray(element, { maxLength });

async function checkSession(X: string[], Y: string[], mode: ModeName): Promise<void> {
  const run = await runSession(X, Y, mode);
  const ini = fulfilled(run.initiator);
  const res = fulfilled(run.responder);
  const expected = intersect(X, Y);
  expect(ini.intersectionSize).toBe(expected.length);
  if (mode === 'size') expect(ini.intersection).toBeUndefined();
  else expect([...ini.intersection!].sort()).toEqual(expected);
  if (mode === 'both') expect([...res.intersection!].sort()).toEqual(expected);
  else {
    expect(res.intersection).toBeUndefined();
    expect(res.intersectionSize).toBeUndefined();
  }
  expect([ini.ownSetSize, ini.peerSetSize, res.ownSetSize, res.peerSetSize]).toEqual([X.length, Y.length, Y.length, X.length]);
}

describe('PSI result equals the plain intersection', () => {
  for (const mode of MODES) {
    it(`mode ${mode}: random sets (property)`, async () => {
      await fc.assert(fc.asyncProperty(set(24), set(24), (X, Y) => checkSession(X, Y, mode)), { numRuns: 12 });
    });
  }

  it('empty, disjoint, identical and very unequal sets, in every mode', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => `user${i}@example.com`);
    const cases: [string, string[], string[]][] = [
      ['both empty', [], []],
      ['initiator empty', [], ['a', 'b']],
      ['responder empty', ['a', 'b'], []],
      ['disjoint', ['a', 'b', 'c'], ['d', 'e']],
      ['identical', ['a', 'b', 'c', 'd'], ['d', 'c', 'b', 'a']],
      ['1 vs 1500', ['user777@example.com'], many],
      ['1500 vs 2', many, ['user0@example.com', 'nobody@example.com']],
    ];
    for (const mode of MODES) for (const [, X, Y] of cases) await checkSession(X, Y, mode);
  });

  it('both parties end with the same summary, signed by both, holding sizes and mode but no element', async () => {
    const X = ['alice@example.com', 'bob@example.com'];
    const run = await runSession(X, ['bob@example.com', 'carol@example.com', 'dave@example.com'], 'one');
    const ini = fulfilled(run.initiator);
    const res = fulfilled(run.responder);
    expect(Buffer.from(ini.signed.summary).equals(Buffer.from(res.signed.summary))).toBe(true);
    expect(ini.signed.initiatorSignature).toBe(res.signed.initiatorSignature);
    verifySummarySignature(ini.signed.summary, ini.signed.initiatorSignature, IDS.initiator, identityKeys.initiator, 'initiator');
    verifySummarySignature(ini.signed.summary, ini.signed.responderSignature, IDS.responder, identityKeys.responder, 'responder');
    const s = decodeSummary(ini.signed.summary, 'summary');
    expect(s).toMatchObject({ initiatorId: IDS.initiator, responderId: IDS.responder, initiatorSetSize: 2n, responderSetSize: 3n });
    expect(Buffer.from(ini.signed.summary).toString('latin1')).not.toMatch(/@example\.com/);
  });
});
