import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import {
  PsiCountersignSchema,
  PsiHelloSchema,
  PsiList,
  SignedPsiSummarySchema,
  type IntersectRequest,
  type IntersectResponse,
  type PsiMode,
} from '../../../gen/cordon/v1/psi_pb.js';
import { CordonError } from '../../../errors.js';
import { MATCH_BYTES, POINT_BYTES } from '../curve/points.js';
import type { PsiEngine } from '../engine/engine.js';
import { hashDst, type ElementSet } from '../set/element-set.js';
import type { Conversation } from './conversation.js';
import { Inbox } from './inbox.js';
import { IDLE_TIMEOUT_MS, MAX_SET_SIZE, PSI_VERSION, SESSION_ID_BYTES } from './limits.js';
import { ListBuffer } from './list-buffer.js';
import { chunkOf, toResponder } from './messages.js';
import { disclosureOf, modeName } from './modes.js';
import { randomPermutation } from './order.js';
import { OrderedWork } from './ordered-work.js';
import { streamOwnList, streamValues } from './own-list.js';
import type { PartyOptions, PsiOutcome } from './party.js';
import { checkProposedSummary, decodeSummary, signSummary, verifySummarySignature } from './summary.js';
import { ValueIndex } from './value-index.js';

export interface InitiatorOptions extends PartyOptions {
  readonly set: ElementSet;
  readonly mode: PsiMode;
  readonly engine: PsiEngine;
  /** Fixed only by tests; otherwise 16 fresh random bytes. */
  readonly sessionId?: Uint8Array;
}

/**
 * The initiator's side of a PSI session (message order in psi.proto). With
 * set X and key a it sends hello, then H(x)^a in a random order; receives
 * the responder's H(y)^b and blinds each again; receives (H(x)^a)^b; in mode
 * both sends (H(y)^b)^a back; checks and countersigns the responder's
 * summary; and only after the responder closed the stream cleanly computes
 * and returns the result. Any failure on the way aborts the stream and
 * throws: there is no partial result.
 */
export async function runInitiator(conversation: Conversation<IntersectResponse, IntersectRequest>, opts: InitiatorOptions): Promise<PsiOutcome> {
  try {
    return await initiate(conversation, opts);
  } catch (err) {
    conversation.abort(err as Error);
    throw err;
  }
}

async function initiate(conversation: Conversation<IntersectResponse, IntersectRequest>, opts: InitiatorOptions): Promise<PsiOutcome> {
  const { set, mode, engine, self, peer } = opts;
  const now = opts.now ?? Date.now;
  const disclosure = disclosureOf(mode);
  const from = `responder ${peer.id}`;
  const inbox = new Inbox(conversation, from, opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS);
  const send = (message: IntersectRequest['message']) => conversation.send(toResponder(message));
  const n = set.elements.length;
  if (n > MAX_SET_SIZE) throw new CordonError('INVALID_INPUT', `PSI: the set has ${n} elements, at most ${MAX_SET_SIZE}`);
  const sessionId = opts.sessionId ?? randomBytes(SESSION_ID_BYTES);
  const startedMs = now();

  inbox.stage = 'opening the session';
  await send({
    case: 'hello',
    value: create(PsiHelloSchema, { version: PSI_VERSION, sessionId, mode, elementKind: set.kind, setSize: BigInt(n), startedMs: BigInt(startedMs) }),
  });
  inbox.stage = 'waiting for the responder to accept';
  const accept = await inbox.expect('accept');
  if (accept.setSize > BigInt(MAX_SET_SIZE)) throw new CordonError('INVALID_INPUT', `${from} announced ${accept.setSize} elements, at most ${MAX_SET_SIZE}`);
  const m = Number(accept.setSize);

  // Y^(ba), kept 16 bytes wide in the responder's (random) order; X^(ab) in ours.
  const peerTwice = new ListBuffer(`${peer.id}'s blinded list`, m, MATCH_BYTES);
  const ownTwice = new ListBuffer('our list blinded by the responder', n, MATCH_BYTES);
  const order = randomPermutation(n);

  inbox.stage = 'exchanging blinded lists';
  const sending = streamOwnList(set, order, hashDst(set.kind), engine, (points) => send({ case: 'chunk', value: chunkOf(PsiList.BLINDED, points) }), (done) =>
    opts.onProgress?.({ list: 'own', done, total: n }),
  );
  const receiving = (async () => {
    const reblinds = new OrderedWork<{ first: number; values: Uint8Array }>(engine.parallelism + 1, ({ first, values }) => {
      peerTwice.fill(first, values);
      opts.onProgress?.({ list: 'peer', done: first + values.length / MATCH_BYTES, total: m });
    });
    while (!peerTwice.complete || !ownTwice.complete) {
      const chunk = await inbox.expect('chunk');
      if (chunk.list === PsiList.BLINDED) {
        const first = peerTwice.reserve(chunk.points, POINT_BYTES, from);
        const where = `${from}: blinded list, chunk at value ${first}`;
        await reblinds.submit(async () => ({ first, values: await engine.reblind(chunk.points, MATCH_BYTES, where) }));
      } else if (chunk.list === PsiList.DOUBLE_BLINDED) {
        ownTwice.fill(ownTwice.reserve(chunk.points, MATCH_BYTES, from), chunk.points);
      } else {
        throw inbox.unexpected(`a chunk of list ${chunk.list}`, 'a blinded or doubly blinded chunk');
      }
    }
    await reblinds.drain();
  })();
  await Promise.all([sending, receiving]);

  if (disclosure.responderLearnsElements) {
    inbox.stage = 'sending our blinding of the responder\'s list';
    await streamValues(peerTwice.rows, MATCH_BYTES, (values) => send({ case: 'chunk', value: chunkOf(PsiList.DOUBLE_BLINDED, values) }));
  }

  inbox.stage = 'waiting for the signed summary';
  const proposed = await inbox.expect('summary');
  const where = `summary from ${peer.id}`;
  const summary = decodeSummary(proposed.summary, where);
  checkProposedSummary(
    summary,
    { sessionId, mode, initiatorId: self.id, responderId: peer.id, initiatorSetSize: n, responderSetSize: m, startedMs, elementKind: set.kind },
    now(),
    where,
  );
  verifySummarySignature(proposed.summary, proposed.signature, peer.id, peer.publicKey, where);
  const countersignature = signSummary(proposed.summary, self.key, self.id);
  await send({ case: 'countersign', value: create(PsiCountersignSchema, { signature: countersignature }) });
  conversation.end();
  inbox.stage = 'waiting for the responder to close the session';
  await inbox.expectEnd();

  // Complete: only now does anything become a result.
  const index = new ValueIndex(peerTwice.rows, MATCH_BYTES);
  const intersection: string[] = [];
  let size = 0;
  for (let k = 0; k < n; k++) {
    if (!index.has(ownTwice.rows, k * MATCH_BYTES)) continue;
    size++;
    if (disclosure.initiatorLearnsElements) intersection.push(set.elements[order[k]!]!);
  }
  return {
    mode: modeName(mode),
    sessionId,
    ownSetSize: n,
    peerSetSize: m,
    ...(disclosure.initiatorLearnsElements ? { intersection } : {}),
    intersectionSize: size,
    signed: create(SignedPsiSummarySchema, { summary: proposed.summary, initiatorSignature: countersignature, responderSignature: proposed.signature }),
  };
}
