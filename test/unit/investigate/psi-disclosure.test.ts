import { describe, expect, it } from 'vitest';
import { PsiList, type IntersectRequest, type IntersectResponse } from '../../../src/gen/cordon/v1/psi_pb.js';
import { BlindingKey } from '../../../src/investigate/psi/curve/blinding-key.js';
import { hashToCurve } from '../../../src/investigate/psi/curve/hash-to-curve.js';
import { MATCH_BYTES, POINT_BYTES } from '../../../src/investigate/psi/curve/points.js';
import type { ModeName } from '../../../src/investigate/psi/protocol/modes.js';
import { hashDst } from '../../../src/investigate/psi/set/element-set.js';
import { fulfilled, runSession } from './psi-harness.js';

/**
 * What each party receives, read off the messages themselves. The test knows
 * both keys, so it can say exactly which value each received point is; the
 * parties cannot.
 */
const keys = { a: BlindingKey.generate(), b: BlindingKey.generate() };
const utf8 = new TextEncoder();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** H(e)^k for each element, as hex, in the elements' order. */
const blinded = (elements: readonly string[], ...ks: BlindingKey[]): string[] => {
  let rows = hashToCurve(elements.map((e) => utf8.encode(e)), hashDst('raw'));
  ks.forEach((k, i) => (rows = k.blindUnchecked(rows, i === ks.length - 1 && ks.length > 1 ? MATCH_BYTES : POINT_BYTES, 'test')));
  const width = ks.length > 1 ? MATCH_BYTES : POINT_BYTES;
  return Array.from({ length: elements.length }, (_, i) => hex(rows.subarray(i * width, (i + 1) * width)));
};

/** The values of one list, in arrival order, as hex. */
function listValues(messages: (IntersectRequest | IntersectResponse)[], list: PsiList): string[] {
  const width = list === PsiList.BLINDED ? POINT_BYTES : MATCH_BYTES;
  const out: string[] = [];
  for (const m of messages) {
    if (m.message.case !== 'chunk' || m.message.value.list !== list) continue;
    const p = m.message.value.points;
    for (let o = 0; o < p.length; o += width) out.push(hex(p.subarray(o, o + width)));
  }
  return out;
}

const kinds = (messages: (IntersectRequest | IntersectResponse)[]) =>
  messages.map((m) => (m.message.case === 'chunk' ? `chunk:${PsiList[m.message.value.list]}` : m.message.case));

const X = Array.from({ length: 40 }, (_, i) => `x${i}@example.com`);
const Y = [...X.slice(0, 15), ...Array.from({ length: 25 }, (_, i) => `y${i}@example.org`)];
const DISJOINT = Array.from({ length: 40 }, (_, i) => `z${i}@example.net`);

describe('each party receives nothing beyond what its mode allows', () => {
  for (const mode of ['one', 'size'] as ModeName[]) {
    it(`mode ${mode}: the responder receives hello, |X| blinded points and a countersignature, whatever the intersection`, async () => {
      const overlapping = await runSession(X, Y, mode, { keys });
      const disjoint = await runSession(DISJOINT, Y, mode, { keys });
      fulfilled(overlapping.initiator);
      fulfilled(disjoint.initiator);
      const shape = (ms: IntersectRequest[]) => [...new Set(kinds(ms))];
      expect(shape(overlapping.receivedByResponder)).toEqual(['hello', 'chunk:BLINDED', 'countersign']);
      // The same structure whether 15 or 0 elements are shared: the transcript depends on X only through |X|.
      expect(kinds(overlapping.receivedByResponder)).toEqual(kinds(disjoint.receivedByResponder));
      // Exactly {H(x)^a}: blinded once by a key the responder does not hold; no element, no unblinded hash.
      expect(listValues(overlapping.receivedByResponder, PsiList.BLINDED).sort()).toEqual(blinded(X, keys.a).sort());
      const bytes = Buffer.concat(overlapping.receivedByResponder.map((m) => (m.message.case === 'chunk' ? Buffer.from(m.message.value.points) : Buffer.alloc(0))));
      for (const h of blinded(X)) expect(bytes.includes(Buffer.from(h, 'hex'))).toBe(false);
      expect(bytes.toString('latin1')).not.toMatch(/example\.com/);
      const responder = fulfilled(overlapping.responder);
      expect(responder.intersection).toBeUndefined();
      expect(responder.intersectionSize).toBeUndefined();
    });
  }

  it('mode both: the responder also receives (H(y)^b)^a for its own y, in the order it sent them, and so learns its matches', async () => {
    const run = await runSession(X, Y, 'both', { keys });
    fulfilled(run.initiator);
    expect([...new Set(kinds(run.receivedByResponder))]).toEqual(['hello', 'chunk:BLINDED', 'chunk:DOUBLE_BLINDED', 'countersign']);
    const sentY = listValues(run.receivedByInitiator, PsiList.BLINDED);
    const returned = listValues(run.receivedByResponder, PsiList.DOUBLE_BLINDED);
    const [once, twice] = [blinded(Y, keys.b), blinded(Y, keys.b, keys.a)];
    expect(returned).toEqual(sentY.map((v) => twice[once.indexOf(v)]));
  });

  it('mode size: the initiator gets (H(x)^a)^b sorted by value, so no position links a value to an x, and only a count', async () => {
    const run = await runSession(X, Y, 'size', { keys });
    const initiator = fulfilled(run.initiator);
    const twice = listValues(run.receivedByInitiator, PsiList.DOUBLE_BLINDED);
    expect(twice).toEqual([...twice].sort());
    expect([...twice].sort()).toEqual(blinded(X, keys.a, keys.b).sort());
    expect(initiator.intersection).toBeUndefined();
    expect(initiator.intersectionSize).toBe(15);
  });

  it('modes one and both: the initiator gets (H(x)^a)^b in the order it sent H(x)^a (it may link them)', async () => {
    const [once, twiceRef] = [blinded(X, keys.a), blinded(X, keys.a, keys.b)];
    for (const mode of ['one', 'both'] as ModeName[]) {
      const run = await runSession(X, Y, mode, { keys });
      fulfilled(run.initiator);
      const sent = listValues(run.receivedByResponder, PsiList.BLINDED);
      const twice = listValues(run.receivedByInitiator, PsiList.DOUBLE_BLINDED);
      expect(twice).toEqual(sent.map((v) => twiceRef[once.indexOf(v)]));
    }
  });

  it('own blinded lists travel in a fresh random order, not the order of the set', async () => {
    const big = Array.from({ length: 200 }, (_, i) => `acct-${i}`);
    const orders = [];
    for (let i = 0; i < 2; i++) {
      const run = await runSession(big, ['acct-1'], 'one', { keys });
      fulfilled(run.initiator);
      const reference = blinded(big, keys.a);
      orders.push(listValues(run.receivedByResponder, PsiList.BLINDED).map((v) => reference.indexOf(v)));
    }
    const identity = big.map((_, i) => i);
    for (const order of orders) {
      expect([...order].sort((p, q) => p - q)).toEqual(identity);
      expect(order).not.toEqual(identity);
    }
    expect(orders[0]).not.toEqual(orders[1]);
  });
});
