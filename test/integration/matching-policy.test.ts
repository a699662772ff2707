import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertKind, OverlapBasis, type Alert } from '../../src/gen/cordon/v1/alerts_pb.js';
import { RecordKind, RecordSchema, TemplateSignatureSchema, TokenKind, TokenSchema, type Record as BatchRecord } from '../../src/gen/cordon/v1/common_pb.js';
import { createTemplateSigner, estimateJaccard } from '../../src/crypto/minhash.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { AlertClient } from '../../src/match/client/alert-client.js';
import { signFeedback } from '../../src/match/feedback.js';
import { createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';

/**
 * Issue 4, the policy side: 'names' disclosure, template overlaps verified on
 * the full signature, the never-match list and automatic quarantine.
 */
const HOUR = 3_600_000;
const now = Date.now();
const times = { firstSeenMs: BigInt(now - HOUR), lastSeenMs: BigInt(now - 1000), expiresMs: BigInt(now + 30 * 24 * HOUR) };

const account = (id: string, tokens: [TokenKind, Uint8Array][]): BatchRecord =>
  create(RecordSchema, { recordId: id, epoch: 1, kind: RecordKind.ACCOUNT, tokens: tokens.map(([kind, value]) => create(TokenSchema, { kind, value })), labels: ['volume'], score: 0.7, ...times });

const signer = createTemplateSigner(randomBytes(32));
const template = (id: string, skeleton: string): BatchRecord => {
  const sig = signer.sign(skeleton);
  return create(RecordSchema, {
    recordId: id, epoch: 1, kind: RecordKind.TEMPLATE, labels: ['template_reuse'], score: 0.9, ...times,
    template: create(TemplateSignatureSchema, { bands: sig.bands.map((b) => Uint8Array.from(b)), minhash: [...sig.minhash] }),
  });
};

const SKELETON = 'You are an expert tutor. Solve the following problem step by step, showing all reasoning before the final answer: <PAYLOAD>. Format: Answer: <N>';
const NEAR = 'You are an expert tutor. Solve this problem step by step, showing all of your reasoning before the final answer: <PAYLOAD>. Format: Answer: <N>';
const FAR = 'Translate the following customer review into French and keep the tone informal, then list three keywords: <PAYLOAD>';

describe('matching policy: names disclosure, templates, never-match, quarantine', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const clients: AlertClient[] = [];
  const neverToken = randomBytes(32);
  const natToken = randomBytes(32);
  const alertClient = (from: string, to = 'c1') => {
    const c = new AlertClient({ id: from, key: nodes[from]!.key.privateKey }, { id: to, address: `127.0.0.1:${fed.ports[to]}` });
    clients.push(c);
    return c;
  };
  const backlog = async (from: string, to = 'c1') => {
    const out: Alert[] = [];
    for await (const a of alertClient(from, to).watch(0n, { backlogOnly: true })) out.push(a);
    return out;
  };
  const publish = async (id: string, records: BatchRecord[]) => {
    await appendToChain(nodes[id]!.db.sql, id, nodes[id]!.key.privateKey, { records, retractions: [] });
    await nodes[id]!.flush();
  };
  const matched = (id: string) => eventually(async () => {
    const [row] = await nodes[id]!.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM batches WHERE NOT matched`;
    return row!.n === 0;
  }, 20_000, `${id} matched everything`);

  beforeAll(async () => {
    fed = await createFederation(
      [{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'reg', role: 'regulator' }],
      { policy: { disclosure: 'names', extra: { match: { quarantine_records: 8, never_match: [{ epoch: 1, kind: 'email', token: neverToken.toString('hex'), reason: 'shared test account' }] } } } },
    );
    for (const id of ['c1', 'reg', 'p1', 'p2']) nodes[id] = await startInProcess(fed, id);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it("discloses the other providers' names under 'names', to providers and the regulator", async () => {
    const shared = randomBytes(32);
    await publish('p1', [account('a-1', [[TokenKind.PHONE, shared]])]);
    await publish('p2', [account('b-1', [[TokenKind.PHONE, shared]])]);
    const a = await eventually(async () => (await backlog('p1')).find((x) => x.kind === AlertKind.OVERLAP), 20_000, 'p1 overlap');
    expect(a.otherProviders).toEqual(['p2']);
    expect(a.otherProviderCount).toBe(1);
    expect(a.ownRecordIds).toEqual(['a-1']);
    const mine = (await alertClient('p2').listCampaigns()).campaigns;
    expect([...mine[0]!.providers]).toEqual(['p1', 'p2']);
    expect(mine[0]!.ownRecordIds).toEqual(['b-1']);
    const reg = await eventually(async () => { const c = (await alertClient('reg', 'reg').listCampaigns()).campaigns; return c.length > 0 && c; }, 20_000, 'regulator');
    expect([...reg[0]!.providers]).toEqual(['p1', 'p2']);
    // With names disclosed, feedback says who gave it.
    await alertClient('p1').submitFeedback(await signFeedback({ overlap_id: a.overlapId, verdict: 'confirmed' }, { id: 'p1', key: nodes.p1!.key.privateKey }));
    const fb = await eventually(async () => (await backlog('p2')).find((x) => x.kind === AlertKind.FEEDBACK), 20_000, 'feedback');
    expect(fb.feedbackFrom).toBe('p1');
  });

  it('links similar templates across providers after verifying the full signature, and not dissimilar ones', async () => {
    expect(estimateJaccard(signer.sign(SKELETON).minhash, signer.sign(NEAR).minhash)).toBeGreaterThanOrEqual(0.5);
    expect(estimateJaccard(signer.sign(SKELETON).minhash, signer.sign(FAR).minhash)).toBeLessThan(0.5);
    await publish('p1', [template('t-1', SKELETON)]);
    await publish('p2', [template('t-2', NEAR), template('t-3', FAR)]);
    const a = await eventually(async () => (await backlog('p2')).find((x) => x.basis === OverlapBasis.TEMPLATE), 20_000, 'template overlap');
    expect(a.ownRecordIds).toEqual(['t-2']);
    expect(a.similarity).toBeGreaterThanOrEqual(0.5);
    await matched('c1');
    expect((await backlog('p2')).some((x) => x.ownRecordIds.includes('t-3'))).toBe(false);
  });

  it('never links a token on the never-match list', async () => {
    await publish('p1', [account('a-never', [[TokenKind.EMAIL, neverToken]])]);
    await publish('p2', [account('b-never', [[TokenKind.EMAIL, neverToken]])]);
    await matched('c1');
    const all = [...(await backlog('p1')), ...(await backlog('p2'))];
    expect(all.some((x) => x.ownRecordIds.some((r) => r.endsWith('-never')))).toBe(false);
  });

  it('rebuilds its token index on restart, so overlaps with records published before still form', async () => {
    const shared = randomBytes(32);
    await publish('p1', [account('a-before', [[TokenKind.API_KEY, shared]])]);
    await matched('c1');
    await nodes.c1!.stop({ stopDatabase: false });
    nodes.c1 = await startInProcess(fed, 'c1');
    await publish('p2', [account('b-after', [[TokenKind.API_KEY, shared]])]);
    const a = await eventually(async () => (await backlog('p2')).find((x) => x.ownRecordIds.includes('b-after')), 20_000, 'overlap after restart');
    expect(a.kind).toBe(AlertKind.OVERLAP);
  });

  it('quarantines a token that links implausibly many records, alerts the operator, and links nothing through it', async () => {
    await publish('p1', Array.from({ length: 5 }, (_, i) => account(`a-nat-${i}`, [[TokenKind.IP_PREFIX, natToken]])));
    await publish('p2', Array.from({ length: 5 }, (_, i) => account(`b-nat-${i}`, [[TokenKind.IP_PREFIX, natToken]])));
    const q = await eventually(async () => (await backlog('c1', 'c1')).find((x) => x.kind === AlertKind.QUARANTINE), 20_000, 'quarantine alert');
    expect(q.recordCount).toBe(10);
    expect(Buffer.from(q.token).equals(natToken)).toBe(true);
    await publish('p2', [account('b-nat-late', [[TokenKind.IP_PREFIX, natToken]])]);
    await matched('c1');
    const all = [...(await backlog('p1')), ...(await backlog('p2'))];
    expect(all.some((x) => x.ownRecordIds.some((r) => r.includes('-nat-')))).toBe(false);
    // Providers never see operator alerts.
    expect(all.some((x) => x.kind === AlertKind.QUARANTINE)).toBe(false);
  });
});
