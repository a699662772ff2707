import { create, toBinary } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransparencyLog } from '../../src/audit/transparency-log.js';
import { readNodeKey, type NodeKey } from '../../src/crypto/keys.js';
import { mintCallToken } from '../../src/federation/auth/call-token.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { grpcPath } from '../../src/federation/grpc/service-definition.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { PsiAuditService, PsiMode, RecordPsiSummaryRequestSchema, SignedPsiSummarySchema, type SignedPsiSummary } from '../../src/gen/cordon/v1/psi_pb.js';
import { encodeSummary, PSI_SUMMARY_TYP, signSummary } from '../../src/investigate/psi/protocol/summary.js';
import { createFederation, startInProcess, type Federation } from '../support/federation.js';
import { rawUnary } from '../support/raw-call.js';

/**
 * What a consortium node's log takes from RecordPsiSummary: only the fields it
 * knows, re-encoded, and one leaf per session. Summaries are made and signed
 * here with the providers' real keys (no PSI session runs).
 */
describe('PSI summaries in a consortium log', () => {
  let fed: Federation;
  let c1: RunningNode;
  const keys: Record<string, NodeKey> = {};
  const RECORD = grpcPath(PsiAuditService, 'RecordPsiSummary');
  const logSize = () => new TransparencyLog(c1.db.sql).size();
  const client = (from: string) => new PeerClient({ id: from, key: keys[from]!.privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
  const record = async (from: string, signed: SignedPsiSummary) => {
    const c = client(from);
    try {
      return await c.call(PsiAuditService.method.recordPsiSummary, create(RecordPsiSummaryRequestSchema, { signed }));
    } finally {
      c.close();
    }
  };

  /** A summary of a session between pa (initiator) and pb, signed by both. */
  const summary = (sessionId: Uint8Array = randomBytes(16), finishedMs = Date.now(), extra: Uint8Array = new Uint8Array()) => {
    const bytes = Buffer.concat([
      encodeSummary({ sessionId, mode: PsiMode.BOTH, initiatorId: 'pa', responderId: 'pb', initiatorSetSize: 300, responderSetSize: 200, startedMs: finishedMs - 5_000, finishedMs, elementKind: 'email' }),
      extra,
    ]);
    return create(SignedPsiSummarySchema, { summary: bytes, initiatorSignature: signSummary(bytes, keys.pa!.privateKey, 'pa'), responderSignature: signSummary(bytes, keys.pb!.privateKey, 'pb') });
  };
  /** A length-delimited field `no` of `len` filler bytes: a field this node's schema does not have. */
  const unknownField = (no: number, len: number) => field(no, Buffer.alloc(len, 0x41));
  const rawRecord = (request: Uint8Array) => rawUnary(`127.0.0.1:${fed.ports.c1}`, RECORD, request, mintCallToken('pa', keys.pa!.privateKey, 'c1'));

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'pa', role: 'provider' }, { id: 'pb', role: 'provider' }]);
    for (const id of ['pa', 'pb']) keys[id] = await readNodeKey(`${fed.dirs[id]}/key.jwk`);
    c1 = await startInProcess(fed, 'c1');
  });
  afterAll(async () => {
    await c1?.stop();
  });

  it('refuses a summary carrying an unknown field, naming its number, and logs nothing', async () => {
    const before = await logSize();
    // 64 KiB riding in the signed summary's envelope (outside both signatures).
    const signed = Buffer.concat([toBinary(SignedPsiSummarySchema, summary()), unknownField(15, 64 * 1024)]);
    const inEnvelope = await rawRecord(field(1, signed)); // RecordPsiSummaryRequest.signed
    expect(inEnvelope.code).toBe(status.INVALID_ARGUMENT);
    expect(inEnvelope.details).toMatch(/unknown field 15/);
    // In the request around it.
    const inRequest = await rawRecord(Buffer.concat([toBinary(RecordPsiSummaryRequestSchema, create(RecordPsiSummaryRequestSchema, { signed: summary() })), unknownField(7, 16)]));
    expect(inRequest.code).toBe(status.INVALID_ARGUMENT);
    expect(inRequest.details).toMatch(/unknown field 7/);
    // Inside the summary bytes, signed by both parties.
    await expect(record('pa', summary(undefined, undefined, unknownField(12, 1024)))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/unknown field 12/) });
    expect(await logSize()).toBe(before);
  });

  it('refuses an oversized summary, even one of known fields signed by both, and logs nothing', async () => {
    const before = await logSize();
    const finishedMs = Date.now();
    const bytes = encodeSummary({ sessionId: randomBytes(16), mode: PsiMode.BOTH, initiatorId: 'pa', responderId: 'pb', initiatorSetSize: 1, responderSetSize: 1, startedMs: finishedMs, finishedMs, elementKind: 'k'.repeat(256 * 1024) });
    const huge = create(SignedPsiSummarySchema, { summary: bytes, initiatorSignature: signSummary(bytes, keys.pa!.privateKey, 'pa'), responderSignature: signSummary(bytes, keys.pb!.privateKey, 'pb') });
    await expect(record('pa', huge)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/bytes exceeds the \d+-byte limit/) });
    expect(await logSize()).toBe(before);
  });

  it('records a session once: the same summary again, from either party, answers its leaf and appends nothing', async () => {
    const signed = summary();
    const before = await logSize();
    const first = await record('pa', signed);
    expect(first.duplicate).toBe(false);
    const again = await record('pa', signed);
    const fromPeer = await record('pb', signed);
    expect([again, fromPeer].map((r) => [r.logIndex, r.duplicate])).toEqual([[first.logIndex, true], [first.logIndex, true]]);
    expect(await logSize()).toBe(before + 1);
  });

  it('refuses a different summary for a recorded session, even one party re-signing the same bytes, and appends nothing', async () => {
    const sessionId = randomBytes(16);
    const finishedMs = Date.now() - 1_000;
    const signed = summary(sessionId, finishedMs);
    await record('pa', signed);
    const before = await logSize();
    await expect(record('pa', summary(sessionId, finishedMs + 1))).rejects.toMatchObject({ code: 'EQUIVOCATION', message: expect.stringMatching(/already recorded/) });
    // pa alone can mint another valid signature over the same bytes (another protected header): still the same session.
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'pa', b64: false, crit: ['b64'], typ: PSI_SUMMARY_TYP, pad: 'x'.repeat(64) })).toString('base64url');
    const resigned = `${header}..${sign(null, Buffer.concat([Buffer.from(`${header}.`), signed.summary]), keys.pa!.privateKey).toString('base64url')}`;
    await expect(record('pa', create(SignedPsiSummarySchema, { ...signed, initiatorSignature: resigned }))).rejects.toMatchObject({ code: 'EQUIVOCATION' });
    expect(await logSize()).toBe(before);
  });
});

/** Protobuf wire format by hand: a varint, and a length-delimited field. */
function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

function field(no: number, body: Uint8Array): Buffer {
  return Buffer.concat([varint((no << 3) | 2), varint(body.length), body]);
}
