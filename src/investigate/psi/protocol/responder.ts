import { create } from '@bufbuild/protobuf';
import {
  PsiAcceptSchema,
  PsiList,
  PsiSignedByResponderSchema,
  SignedPsiSummarySchema,
  type IntersectRequest,
  type IntersectResponse,
  type PsiHello,
  type PsiMode,
} from '../../../gen/cordon/v1/psi_pb.js';
import { CordonError } from '../../../errors.js';
import { MATCH_BYTES, POINT_BYTES } from '../curve/points.js';
import type { PsiEngine } from '../engine/engine.js';
import { ELEMENT_KIND, hashDst, type ElementSet } from '../set/element-set.js';
import type { Conversation } from './conversation.js';
import { Inbox } from './inbox.js';
import { IDLE_TIMEOUT_MS, MAX_CLOCK_SKEW_MS, MAX_SET_SIZE, PSI_VERSION, SESSION_ID_BYTES } from './limits.js';
import { ListBuffer } from './list-buffer.js';
import { chunkOf, toInitiator } from './messages.js';
import { disclosureOf, modeName } from './modes.js';
import { randomPermutation, sortRows } from './order.js';
import { OrderedWork } from './ordered-work.js';
import { streamOwnList, streamValues } from './own-list.js';
import type { PartyOptions, PsiOutcome } from './party.js';
import { encodeSummary, signSummary, verifySummarySignature } from './summary.js';
import { ValueIndex } from './value-index.js';

/** What the responder's operator agreed to for this session: its set, and the mode it consented to. */
export interface ResponderTerms {
  readonly set: ElementSet;
  readonly mode: PsiMode;
  readonly engine: PsiEngine;
}

export interface ResponderOptions extends PartyOptions {
  /**
   * Decides whether to answer this hello (the node looks up its operator's
   * offer for the peer) and supplies the set; throws to refuse.
   */
  readonly admit: (hello: PsiHello) => Promise<ResponderTerms>;
}

/**
 * The responder's side of a PSI session (message order in psi.proto). With
 * set Y and key b: checks the hello against its terms, answers with |Y|,
 * streams H(y)^b in a random order while blinding each incoming H(x)^a
 * again. (H(x)^a)^b goes back in the order received when the initiator may
 * learn its elements, or sorted by value (mode size) so that no position
 * links to an x. In mode both it then receives (H(y)^b)^a and learns its own
 * matching elements. It proposes and signs the summary, verifies the
 * countersignature, and only then returns.
 */
export async function runResponder(conversation: Conversation<IntersectRequest, IntersectResponse>, opts: ResponderOptions): Promise<PsiOutcome> {
  let engine: PsiEngine | undefined;
  try {
    return await respond(conversation, opts, (e) => (engine = e));
  } catch (err) {
    conversation.abort(err as Error);
    throw err;
  } finally {
    await engine?.close();
  }
}

function checkHello(hello: PsiHello, nowMs: number, from: string): void {
  const bad = (what: string) => new CordonError('INVALID_INPUT', `${from}: hello ${what}`);
  if (hello.version !== PSI_VERSION) throw bad(`has protocol version ${hello.version}; this node speaks ${PSI_VERSION}`);
  if (hello.sessionId.length !== SESSION_ID_BYTES) throw bad(`session id must be ${SESSION_ID_BYTES} bytes, got ${hello.sessionId.length}`);
  modeName(hello.mode);
  if (!ELEMENT_KIND.test(hello.elementKind)) throw bad(`element kind '${hello.elementKind}' is not a kind name`);
  if (hello.setSize > BigInt(MAX_SET_SIZE)) throw bad(`announces ${hello.setSize} elements, at most ${MAX_SET_SIZE}`);
  const skew = Number(hello.startedMs) - nowMs;
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) throw bad(`start time is ${Math.round(skew / 1000)} s from this node's clock`);
}

async function respond(
  conversation: Conversation<IntersectRequest, IntersectResponse>,
  opts: ResponderOptions,
  adopt: (engine: PsiEngine) => void,
): Promise<PsiOutcome> {
  const { self, peer } = opts;
  const now = opts.now ?? Date.now;
  const from = `initiator ${peer.id}`;
  const inbox = new Inbox(conversation, from, opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
  const send = (message: IntersectResponse['message']) => conversation.send(toInitiator(message));

  inbox.stage = 'waiting for hello';
  const hello = await inbox.expect('hello');
  checkHello(hello, now(), from);
  const terms = await opts.admit(hello);
  const { set, engine } = terms;
  adopt(engine);
  if (terms.mode !== hello.mode) {
    throw new CordonError('PERMISSION_DENIED', `${self.id} agreed to mode ${modeName(terms.mode)} with ${peer.id}, not ${modeName(hello.mode)}`);
  }
  if (set.kind !== hello.elementKind) {
    throw new CordonError('INVALID_INPUT', `${self.id}'s set holds '${set.kind}' elements; ${peer.id} brings '${hello.elementKind}'`);
  }
  const disclosure = disclosureOf(hello.mode);
  const n = Number(hello.setSize);
  const m = set.elements.length;
  await send({ case: 'accept', value: create(PsiAcceptSchema, { setSize: BigInt(m) }) });

  // X^(ab) as we compute it, 16 bytes wide, in the initiator's order; Y^(ba) from the initiator in mode both.
  const peerTwice = new ListBuffer(`${peer.id}'s blinded list`, n, MATCH_BYTES);
  const ownTwice = disclosure.responderLearnsElements ? new ListBuffer('our list blinded by the initiator', m, MATCH_BYTES) : undefined;
  const order = randomPermutation(m);
  const sendChunk = (list: PsiList, values: Uint8Array) => send({ case: 'chunk', value: chunkOf(list, values) });

  inbox.stage = 'exchanging blinded lists';
  const sending = streamOwnList(set, order, hashDst(set.kind), engine, (points) => sendChunk(PsiList.BLINDED, points), (done) =>
    opts.onProgress?.({ list: 'own', done, total: m }),
  );
  const receiving = (async () => {
    const reblinds = new OrderedWork<{ first: number; values: Uint8Array }>(engine.parallelism + 1, async ({ first, values }) => {
      peerTwice.fill(first, values);
      opts.onProgress?.({ list: 'peer', done: first + values.length / MATCH_BYTES, total: n });
      // The initiator may link these to its elements: send each as soon as it is ready.
      if (disclosure.initiatorLearnsElements) await sendChunk(PsiList.DOUBLE_BLINDED, values);
    });
    while (!peerTwice.complete) {
      const chunk = await inbox.expect('chunk');
      if (chunk.list !== PsiList.BLINDED) throw inbox.unexpected(`a chunk of list ${chunk.list}`, 'a chunk of its blinded list');
      const first = peerTwice.reserve(chunk.points, POINT_BYTES, from);
      const where = `${from}: blinded list, chunk at value ${first}`;
      await reblinds.submit(async () => ({ first, values: await engine.reblind(chunk.points, MATCH_BYTES, where) }));
    }
    await reblinds.drain();
    // It may learn only how many: sorted, the list's order depends on its values alone.
    if (!disclosure.initiatorLearnsElements) await streamValues(sortRows(peerTwice.rows, MATCH_BYTES), MATCH_BYTES, (values) => sendChunk(PsiList.DOUBLE_BLINDED, values));
  })();
  await Promise.all([sending, receiving]);

  if (ownTwice) {
    inbox.stage = 'receiving the initiator\'s blinding of our list';
    while (!ownTwice.complete) {
      const chunk = await inbox.expect('chunk');
      if (chunk.list !== PsiList.DOUBLE_BLINDED) throw inbox.unexpected(`a chunk of list ${chunk.list}`, 'a doubly blinded chunk');
      ownTwice.fill(ownTwice.reserve(chunk.points, MATCH_BYTES, from), chunk.points);
    }
  }

  const summary = encodeSummary({
    sessionId: hello.sessionId,
    mode: hello.mode,
    initiatorId: peer.id,
    responderId: self.id,
    initiatorSetSize: n,
    responderSetSize: m,
    startedMs: Number(hello.startedMs),
    finishedMs: now(),
    elementKind: set.kind,
  });
  const signature = signSummary(summary, self.key, self.id);
  inbox.stage = 'waiting for the countersignature';
  await send({ case: 'summary', value: create(PsiSignedByResponderSchema, { summary, signature }) });
  const countersign = await inbox.expect('countersign');
  verifySummarySignature(summary, countersign.signature, peer.id, peer.publicKey, `countersignature from ${peer.id}`);
  inbox.stage = 'waiting for the initiator to close the session';
  await inbox.expectEnd();
  conversation.end();

  let intersection: string[] | undefined;
  if (ownTwice) {
    const index = new ValueIndex(peerTwice.rows, MATCH_BYTES);
    intersection = [];
    for (let k = 0; k < m; k++) if (index.has(ownTwice.rows, k * MATCH_BYTES)) intersection.push(set.elements[order[k]!]!);
  }
  return {
    mode: modeName(hello.mode),
    sessionId: hello.sessionId,
    ownSetSize: m,
    peerSetSize: n,
    ...(intersection ? { intersection, intersectionSize: intersection.length } : {}),
    signed: create(SignedPsiSummarySchema, { summary, initiatorSignature: countersign.signature, responderSignature: signature }),
  };
}
