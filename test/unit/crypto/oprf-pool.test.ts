import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Oprf } from '../../../src/crypto/oprf/oprf.js';
import { EvaluationPool } from '../../../src/crypto/oprf/pool/evaluation-pool.js';
import { OprfMode } from '../../../src/crypto/oprf/suite.js';

/** The worker-thread evaluation pool gives what one thread gives: same evaluations, a proof over the whole batch. */
let oprf: Oprf;
let pool: EvaluationPool;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

beforeAll(async () => {
  oprf = await Oprf.load(OprfMode.VOPRF);
  pool = new EvaluationPool(oprf, 2);
});
afterAll(() => pool.close());

describe('EvaluationPool', () => {
  it('splits a batch across workers into one valid batched proof and the same evaluations', async () => {
    const k = oprf.group.randomScalar();
    const pk = oprf.group.mulBase(k);
    const blinded = Array.from({ length: 70 }, (_, i) => oprf.blind(new Uint8Array([i])).blindedElement);
    const pooled = await pool.evaluate(k, pk, blinded);
    const single = oprf.blindEvaluate(k, pk, blinded);
    expect(pooled.evaluatedElements.map(hex)).toEqual(single.evaluatedElements.map(hex));
    expect(oprf.verify(pk, blinded, pooled.evaluatedElements, pooled.proof)).toBe(true);
    // The proof covers every slice: it fails for another key or a swapped element in the second slice.
    const swapped = [...pooled.evaluatedElements];
    [swapped[60], swapped[61]] = [swapped[61]!, swapped[60]!];
    expect(oprf.verify(pk, blinded, swapped, pooled.proof)).toBe(false);
    expect(oprf.verify(oprf.group.mulBase(oprf.group.randomScalar()), blinded, pooled.evaluatedElements, pooled.proof)).toBe(false);
  });

  it('evaluates small batches inline and serves concurrent batches', async () => {
    const k = oprf.group.randomScalar();
    const pk = oprf.group.mulBase(k);
    const batches = [3, 40, 90].map((n) => Array.from({ length: n }, (_, i) => oprf.blind(new Uint8Array([n, i])).blindedElement));
    const results = await Promise.all(batches.map((b) => pool.evaluate(k, pk, b)));
    results.forEach((r, i) => expect(oprf.verify(pk, batches[i]!, r.evaluatedElements, r.proof)).toBe(true));
  });
});
