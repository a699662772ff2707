import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Oprf } from '../../../src/crypto/oprf/oprf.js';
import { OprfMode } from '../../../src/crypto/oprf/suite.js';

/**
 * Every ristretto255-SHA512 vector of RFC 9497 (Appendix A.1) in
 * test/vectors/rfc9497-oprf/allVectors.json, OPRF and VOPRF modes, batch
 * sizes 1 and 2: key derivation, blinding, evaluation, proof (with the
 * vector's nonce) and finalization reproduce byte for byte, and the client
 * accepts the vector's proof.
 */
interface VectorFile {
  identifier: string;
  mode: number;
  seed: string;
  keyInfo: string;
  skSm: string;
  pkSm?: string;
  vectors: { Batch: number; Blind: string; BlindedElement: string; EvaluationElement: string; Input: string; Output: string; Proof?: { proof: string; r: string } }[];
}

const all = JSON.parse(readFileSync(new URL('../../vectors/rfc9497-oprf/allVectors.json', import.meta.url), 'utf8')) as VectorFile[];
const suites = all.filter((s) => s.identifier === 'ristretto255-SHA512' && (s.mode === OprfMode.OPRF || s.mode === OprfMode.VOPRF));
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const list = (h: string) => h.split(',').map(bytes);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('RFC 9497 ristretto255-SHA512 vectors', () => {
  const oprfs = new Map<number, Oprf>();
  beforeAll(async () => {
    for (const mode of [OprfMode.OPRF, OprfMode.VOPRF]) oprfs.set(mode, await Oprf.load(mode));
  });

  it('covers both modes and both batch sizes', () => {
    expect(suites.map((s) => s.mode).sort()).toEqual([0, 1]);
    const cases = suites.flatMap((s) => s.vectors.map((v) => `${s.mode}/${v.Batch}`));
    expect(new Set(cases)).toEqual(new Set(['0/1', '1/1', '1/2']));
    expect(cases).toHaveLength(5);
  });

  for (const suite of suites) {
    const modeName = suite.mode === OprfMode.OPRF ? 'OPRF' : 'VOPRF';

    it(`${modeName}: DeriveKeyPair`, () => {
      const oprf = oprfs.get(suite.mode)!;
      const keys = oprf.deriveKeyPair(bytes(suite.seed), bytes(suite.keyInfo));
      expect(hex(keys.secretKey)).toBe(suite.skSm);
      if (suite.pkSm) expect(hex(keys.publicKey)).toBe(suite.pkSm);
    });

    suite.vectors.forEach((v, n) => {
      it(`${modeName} vector ${n + 1} (batch ${v.Batch})`, () => {
        const oprf = oprfs.get(suite.mode)!;
        const sk = bytes(suite.skSm);
        const inputs = list(v.Input);
        const blinds = list(v.Blind);
        expect(inputs).toHaveLength(v.Batch);

        const blinded = inputs.map((input, i) => oprf.blind(input, blinds[i]));
        expect(blinded.map((b) => hex(b.blindedElement)).join(',')).toBe(v.BlindedElement);

        const pk = suite.pkSm ? bytes(suite.pkSm) : undefined;
        const elements = blinded.map((b) => b.blindedElement);
        const evaluation = oprf.blindEvaluate(sk, pk, elements, v.Proof ? bytes(v.Proof.r) : undefined);
        expect(evaluation.evaluatedElements.map(hex).join(',')).toBe(v.EvaluationElement);
        if (v.Proof) expect(hex(evaluation.proof!)).toBe(v.Proof.proof);

        const verification = v.Proof ? { publicKey: pk!, blindedElements: elements, proof: bytes(v.Proof.proof) } : undefined;
        const outputs = oprf.finalize(inputs, blinds, list(v.EvaluationElement), verification);
        expect(outputs.map(hex).join(',')).toBe(v.Output);
        // The server's direct evaluation gives the same output.
        expect(inputs.map((input) => hex(oprf.evaluate(sk, input))).join(',')).toBe(v.Output);
      });
    });
  }

  it('VOPRF: a proof over a changed evaluation does not verify', () => {
    const suite = suites.find((s) => s.mode === OprfMode.VOPRF)!;
    const v = suite.vectors.find((x) => x.Batch === 2)!;
    const oprf = oprfs.get(OprfMode.VOPRF)!;
    const evaluated = list(v.EvaluationElement);
    const swapped = [evaluated[1]!, evaluated[0]!];
    expect(oprf.verify(bytes(suite.pkSm!), list(v.BlindedElement), evaluated, bytes(v.Proof!.proof))).toBe(true);
    expect(oprf.verify(bytes(suite.pkSm!), list(v.BlindedElement), swapped, bytes(v.Proof!.proof))).toBe(false);
    expect(() => oprf.finalize(list(v.Input), list(v.Blind), swapped, { publicKey: bytes(suite.pkSm!), blindedElements: list(v.BlindedElement), proof: bytes(v.Proof!.proof) }))
      .toThrow(/proof does not verify/);
  });
});
