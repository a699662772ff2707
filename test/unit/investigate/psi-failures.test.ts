import { create } from '@bufbuild/protobuf';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IntersectRequestSchema, IntersectResponseSchema, PsiList, type IntersectRequest, type IntersectResponse } from '../../../src/gen/cordon/v1/psi_pb.js';
import { CordonError } from '../../../src/errors.js';
import { hashToCurve } from '../../../src/investigate/psi/curve/hash-to-curve.js';
import { InlineEngine } from '../../../src/investigate/psi/engine/inline-engine.js';
import { runInitiator } from '../../../src/investigate/psi/protocol/initiator.js';
import { memoryPair } from '../../../src/investigate/psi/protocol/memory-pair.js';
import { chunkOf } from '../../../src/investigate/psi/protocol/messages.js';
import { modeOf } from '../../../src/investigate/psi/protocol/modes.js';
import { runResponder } from '../../../src/investigate/psi/protocol/responder.js';
import { hashDst } from '../../../src/investigate/psi/set/element-set.js';
import { runSession } from './psi-harness.js';

/**
 * Every failure ends both parties' sessions with a CordonError that says what
 * went wrong and where; neither party crashes, hangs, or returns a result.
 */
const X = Array.from({ length: 30 }, (_, i) => `x${i}`);
const Y = [...X.slice(0, 10), 'y1', 'y2'];
const SMALL_ORDER = 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800';
const NON_CANONICAL_P = 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
const TOP_BIT = '0900000000000000000000000000000000000000000000000000000000000080';
const validPoints = (n: number) => hashToCurve(Array.from({ length: n }, (_, i) => new TextEncoder().encode(`p${i}`)), hashDst('raw'));

/** Replaces the first blinded chunk's points[at] with `hex` (or its whole payload with `bytes`). */
function tamperFirstChunk<M extends IntersectRequest | IntersectResponse>(change: (points: Uint8Array) => Uint8Array) {
  let done = false;
  return (m: M): M[] => {
    if (done || m.message.case !== 'chunk' || m.message.value.list !== PsiList.BLINDED) return [m];
    done = true;
    m.message.value.points = change(new Uint8Array(m.message.value.points));
    return [m];
  };
}
const withPoint = (hex: string, at = 2) => (points: Uint8Array) => {
  points.set(Buffer.from(hex, 'hex'), at * 32);
  return points;
};

async function expectBothFail(run: Awaited<ReturnType<typeof runSession>>, failing: 'initiator' | 'responder', code: string, message: RegExp) {
  const own = run[failing];
  const other = run[failing === 'initiator' ? 'responder' : 'initiator'];
  expect(own.status).toBe('rejected');
  expect(other.status).toBe('rejected');
  const err = (own as PromiseRejectedResult).reason;
  expect(err).toBeInstanceOf(CordonError);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(message);
  // The peer learns why, through the stream's failure.
  expect((other as PromiseRejectedResult).reason).toBeInstanceOf(CordonError);
}

describe('malformed and small-order points are refused', () => {
  it('a small-order point in the initiator\'s list: the responder refuses, naming the point', async () => {
    const run = await runSession(X, Y, 'one', { taps: { toResponder: tamperFirstChunk(withPoint(SMALL_ORDER)) } });
    await expectBothFail(run, 'responder', 'INVALID_INPUT', /initiator lab-a: blinded list, chunk at value 0: point 2 is a point of small order/);
  });

  it('every small-order u-coordinate and both non-canonical forms are refused', async () => {
    for (const hex of ['00'.repeat(32), '01' + '00'.repeat(31), SMALL_ORDER, '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', 'ec' + 'ff'.repeat(30) + '7f', NON_CANONICAL_P, TOP_BIT]) {
      const run = await runSession(X, Y, 'size', { taps: { toResponder: tamperFirstChunk(withPoint(hex, 0)) } });
      await expectBothFail(run, 'responder', 'INVALID_INPUT', /point 0 is (a point of small order|not a canonical u-coordinate)/);
    }
  });

  it('a malformed point in the responder\'s list: the initiator refuses it', async () => {
    const run = await runSession(X, Y, 'both', { taps: { toInitiator: tamperFirstChunk(withPoint(NON_CANONICAL_P, 1)) } });
    await expectBothFail(run, 'initiator', 'INVALID_INPUT', /responder lab-b: blinded list, chunk at value 0: point 1 is not a canonical u-coordinate \(≥ 2\^255 − 19\)/);
  });

  it('a chunk that is not a whole number of points, or overflows the announced size', async () => {
    let run = await runSession(X, Y, 'one', { taps: { toResponder: tamperFirstChunk((p) => p.subarray(0, 33)) } });
    await expectBothFail(run, 'responder', 'INVALID_INPUT', /a chunk of lab-a's blinded list has 33 bytes, not a whole number of 32-byte values/);
    run = await runSession(X, Y, 'one', { taps: { toResponder: tamperFirstChunk((p) => Buffer.concat([p, validPoints(1)])) } });
    await expectBothFail(run, 'responder', 'INVALID_INPUT', /lab-a's blinded list has more than the 30 values announced/);
  });
});

describe('truncated streams and peers that stop', () => {
  const ids = { a: generateKeyPairSync('ed25519'), b: generateKeyPairSync('ed25519') };
  const initiatorOpts = (idleTimeoutMs = 60_000) => ({
    self: { id: 'lab-a', key: ids.a.privateKey },
    peer: { id: 'lab-b', publicKey: ids.b.publicKey },
    set: { kind: 'raw', elements: X },
    mode: modeOf('one'),
    engine: new InlineEngine(),
    idleTimeoutMs,
  });
  const responderOpts = (idleTimeoutMs = 60_000) => ({
    self: { id: 'lab-b', key: ids.b.privateKey },
    peer: { id: 'lab-a', publicKey: ids.a.publicKey },
    admit: async () => ({ set: { kind: 'raw', elements: Y }, mode: modeOf('one'), engine: new InlineEngine() }),
    idleTimeoutMs,
  });
  const toInitiator = (message: IntersectResponse['message']) => create(IntersectResponseSchema, { message });
  const toResponder = (message: IntersectRequest['message']) => create(IntersectRequestSchema, { message });

  /** A responder that accepts, sends part of its list, then does `then`. */
  async function partialResponder(pair: ReturnType<typeof memoryPair>, then: 'close' | 'fall silent') {
    await pair.responder.receive(); // hello
    await pair.responder.send(toInitiator({ case: 'accept', value: { $typeName: 'cordon.v1.PsiAccept', setSize: 12n } }));
    await pair.responder.send(toInitiator({ case: 'chunk', value: chunkOf(PsiList.BLINDED, validPoints(5)) }));
    if (then === 'close') pair.responder.end();
  }

  it('the responder closes its stream half way: the initiator fails, saying so, with no result', async () => {
    const pair = memoryPair();
    const session = runInitiator(pair.initiator, initiatorOpts());
    await partialResponder(pair, 'close');
    await expect(session).rejects.toThrow(/responder lab-b closed the PSI stream while exchanging blinded lists: the session is incomplete and has no result/);
  });

  it('the responder stops mid-protocol without closing: the initiator gives up after its idle timeout', async () => {
    const pair = memoryPair();
    const session = runInitiator(pair.initiator, initiatorOpts(300));
    await partialResponder(pair, 'fall silent');
    const err = await session.catch((e: CordonError) => e);
    expect(err).toBeInstanceOf(CordonError);
    expect((err as CordonError).code).toBe('UNAVAILABLE');
    expect((err as CordonError).message).toMatch(/responder lab-b sent nothing for 300 ms while exchanging blinded lists/);
    // The scripted peer sees the stream torn down.
    await expect(pair.responder.receive()).rejects.toThrow(/the initiator aborted the stream/);
  });

  it('the initiator closes after part of its list: the responder fails, with no result', async () => {
    const pair = memoryPair();
    const session = runResponder(pair.responder, responderOpts());
    const hello = { $typeName: 'cordon.v1.PsiHello' as const, version: 1, sessionId: new Uint8Array(16), mode: modeOf('one'), elementKind: 'raw', setSize: 30n, startedMs: BigInt(Date.now()) };
    await pair.initiator.send(toResponder({ case: 'hello', value: hello }));
    await pair.initiator.send(toResponder({ case: 'chunk', value: chunkOf(PsiList.BLINDED, validPoints(4)) }));
    pair.initiator.end();
    await expect(session).rejects.toThrow(/initiator lab-a closed the PSI stream while exchanging blinded lists/);
  });

  it('the countersignature never arrives: the responder fails, and neither side presents a result', async () => {
    const dropCountersign = (m: IntersectRequest) => (m.message.case === 'countersign' ? [] : [m]);
    const run = await runSession(X, Y, 'both', { taps: { toResponder: dropCountersign } });
    await expectBothFail(run, 'responder', 'UNAVAILABLE', /initiator lab-a closed the PSI stream while waiting for the countersignature/);
  });

  it('the summary never arrives: the initiator gives up after its idle timeout, and neither side presents a result', async () => {
    const dropSummary = (m: IntersectResponse) => (m.message.case === 'summary' ? [] : [m]);
    const run = await runSession(X, Y, 'both', { taps: { toInitiator: dropSummary }, idleTimeoutMs: 300 });
    await expectBothFail(run, 'initiator', 'UNAVAILABLE', /responder lab-b sent nothing for 300 ms while waiting for the signed summary/);
  });

  it('a message out of turn is named', async () => {
    const twiceHello = (m: IntersectRequest) => (m.message.case === 'hello' ? [m, m] : [m]);
    const run = await runSession(X, Y, 'one', { taps: { toResponder: twiceHello } });
    await expectBothFail(run, 'responder', 'INVALID_INPUT', /initiator lab-a sent hello while exchanging blinded lists; expected chunk/);
  });

  it('a mode the responder did not agree to is refused before any point is sent', async () => {
    const run = await runSession(X, Y, 'both', { responderMode: 'size' });
    await expectBothFail(run, 'responder', 'PERMISSION_DENIED', /lab-b agreed to mode size with lab-a, not both/);
    expect(run.receivedByInitiator).toEqual([]);
  });
});
