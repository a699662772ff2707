import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertKind, type Alert } from '../../src/gen/cordon/v1/alerts_pb.js';
import { RetractionSchema, TokenKind, type Record as BatchRecord } from '../../src/gen/cordon/v1/common_pb.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { MATCHING_PART, type MatchingPart } from '../../src/federation/node/parts/matching.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { AlertClient } from '../../src/match/client/alert-client.js';
import { signFeedback } from '../../src/match/feedback.js';
import { account } from '../support/matching.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/**
 * Issue 4 acceptance: three providers, two consortium nodes and a regulator
 * on loopback. One planted cross-provider campaign (a payment token shared by
 * p1 and p2, an email shared by p2 and p3), background records that match
 * nothing, and the disclosure policy 'count' with k = 3 for the regulator.
 */

describe('overlap matching, campaigns and alerts', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const clients: AlertClient[] = [];
  const alertClient = (from: string, to: string) => {
    const c = new AlertClient({ id: from, key: nodes[from]!.key.privateKey }, { id: to, address: `127.0.0.1:${fed.ports[to]}` });
    clients.push(c);
    return c;
  };
  const backlog = async (from: string, to: string, cursor = 0n) => {
    const out: Alert[] = [];
    for await (const a of alertClient(from, to).watch(cursor, { backlogOnly: true })) out.push(a);
    return out;
  };
  const publish = async (id: string, records: BatchRecord[], retractions: string[] = []) => {
    await appendToChain(nodes[id]!.db.sql, id, nodes[id]!.key.privateKey, { records, retractions: retractions.map((recordId) => create(RetractionSchema, { recordId, reason: 'test' })) });
    await nodes[id]!.flush();
  };
  const matcher = (id: string) => nodes[id]!.part<MatchingPart>(MATCHING_PART)!.matcher;

  const payment = randomBytes(32);
  const email = randomBytes(32);
  const p1Only = randomBytes(32);

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' },
      { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'p3', role: 'provider' }, { id: 'reg', role: 'regulator' },
    ], { policy: { disclosure: 'count', regulatorMinProviders: 3 } });
    for (const id of ['c1', 'c2', 'reg']) nodes[id] = await startInProcess(fed, id);
    // p1 publishes only to c1 and p2 only to c2: the other node learns by replication, and must still name every alert alike.
    nodes.p1 = await startInProcess(fed, 'p1', { publish_to: ['c1'], replication_interval_ms: 60_000 });
    nodes.p2 = await startInProcess(fed, 'p2', { publish_to: ['c2'], replication_interval_ms: 60_000 });
    nodes.p3 = await startInProcess(fed, 'p3', { replication_interval_ms: 60_000 });
    await publish('p1', [...makeRecords(200, 'bg1'), account('a-1', [[TokenKind.PAYMENT, payment], [TokenKind.EMAIL, p1Only]])]);
    await publish('p2', [...makeRecords(200, 'bg2'), account('b-1', [[TokenKind.PAYMENT, payment], [TokenKind.EMAIL, email]])]);
    await publish('p3', makeRecords(200, 'bg3'));
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('alerts exactly the providers whose records overlap, naming only their own records', async () => {
    const p1 = await eventually(async () => { const a = await backlog('p1', 'c1'); return a.length > 0 && a; }, 20_000, 'p1 alert');
    const p2 = await eventually(async () => { const a = await backlog('p2', 'c1'); return a.length > 0 && a; }, 20_000, 'p2 alert');
    expect(p1.map((a) => a.kind)).toEqual([AlertKind.OVERLAP]);
    expect(p1[0]!.ownRecordIds).toEqual(['a-1']);
    expect(p2[0]!.ownRecordIds).toEqual(['b-1']);
    expect(p1[0]!.tokenKind).toBe(TokenKind.PAYMENT);
    expect(Buffer.from(p1[0]!.token).equals(payment)).toBe(true);
    expect(p1[0]!.campaignId).toMatch(/^cp-[0-9a-f]{32}$/);
    expect(p1[0]!.campaignId).toBe(p2[0]!.campaignId);
    // No alert names another provider's record.
    for (const a of p1) expect(a.ownRecordIds.every((r) => r.startsWith('a-'))).toBe(true);
    for (const a of p2) expect(a.ownRecordIds.every((r) => r.startsWith('b-'))).toBe(true);
  });

  it('tells the uninvolved provider nothing, and answers its questions as if the campaign did not exist', async () => {
    const [p1Alert] = await backlog('p1', 'c1');
    for (const node of ['c1', 'c2']) expect(await backlog('p3', node)).toEqual([]);
    expect((await alertClient('p3', 'c1').listCampaigns()).campaigns).toEqual([]);
    await expect(alertClient('p3', 'c1').getCampaign(p1Alert!.campaignId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(alertClient('p3', 'c1').getCampaign('cp-00000000000000000000000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Nor may it give feedback on an overlap it is not part of.
    const jws = await signFeedback({ overlap_id: p1Alert!.overlapId, verdict: 'false_positive' }, { id: 'p3', key: nodes.p3!.key.privateKey });
    await expect(alertClient('p3', 'c1').submitFeedback(jws)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("honours 'count' disclosure from each role's side", async () => {
    const [p1Alert] = await backlog('p1', 'c1');
    expect(p1Alert!.otherProviders).toEqual([]);
    expect(p1Alert!.otherProviderCount).toBe(1);
    const mine = (await alertClient('p1', 'c1').listCampaigns()).campaigns;
    expect(mine).toHaveLength(1);
    expect(mine[0]!.providers).toEqual(['p1']);
    expect(mine[0]!.providerCount).toBe(2);
    expect(mine[0]!.ownRecordIds).toEqual(['a-1']);
    // The consortium operator sees the campaign whole.
    const all = (await alertClient('c2', 'c1').listCampaigns()).campaigns;
    expect(all.map((c) => [...c.providers])).toEqual([['p1', 'p2']]);
  });

  it('shows the regulator the campaign only once it spans k = 3 providers', async () => {
    await eventually(async () => (await alertClient('reg', 'reg').listCampaigns()).campaigns.length === 0 && (await backlog('p1', 'c2')).length > 0, 20_000, 'regulator matched');
    await expect(alertClient('reg', 'c1').listCampaigns()).resolves.toMatchObject({ campaigns: [] });
    await publish('p3', [account('c-1', [[TokenKind.EMAIL, email]])]);
    const seen = await eventually(async () => { const c = (await alertClient('reg', 'reg').listCampaigns()).campaigns; return c.length > 0 && c; }, 20_000, 'regulator sees campaign');
    expect([...seen[0]!.providers]).toEqual(['p1', 'p2', 'p3']);
    expect(seen[0]!.ownRecordIds).toEqual([]);
    const atC1 = (await alertClient('reg', 'c1').listCampaigns()).campaigns;
    expect(atC1.map((c) => c.id)).toEqual([seen[0]!.id]);
    // p3 is now involved and told; p1 hears that its campaign grew to a third provider.
    const p3 = await eventually(async () => (await backlog('p3', 'c1')).find((a) => a.kind === AlertKind.OVERLAP), 20_000, 'p3 alert');
    expect(p3.ownRecordIds).toEqual(['c-1']);
    expect(p3.campaignId).toBe(seen[0]!.id);
    const growth = await eventually(async () => (await backlog('p1', 'c1')).find((a) => a.kind === AlertKind.CAMPAIGN_GROWTH), 20_000, 'growth alert');
    expect(growth.milestone).toBe('providers:3');
    // The regulator's exports carry the campaign, with its linking tokens as indicators.
    const out = await cli(['export', 'stix', '--node', fed.dirs.reg!]);
    expect(out.code, out.err).toBe(0);
    const bundle = JSON.parse(out.out) as { objects: { type: string; name?: string; pattern?: string }[] };
    const campaigns = bundle.objects.filter((o) => o.type === 'campaign');
    expect(campaigns).toHaveLength(1);
    expect(campaigns[0]!.name).toContain(seen[0]!.id);
    const patterns = bundle.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern).join(' ');
    expect(patterns).toContain(payment.toString('hex'));
    expect(patterns).toContain(email.toString('hex'));
    // And its aggregates count records per provider and the one campaign, nothing more.
    const agg = await cli(['aggregates', '--node', fed.dirs.reg!, '--json']);
    expect(agg.code, agg.err).toBe(0);
    const counts = JSON.parse(agg.out) as { campaigns: number; records_by_provider: Record<string, number>; records_by_label: Record<string, number> };
    expect(counts.campaigns).toBe(1);
    expect(counts.records_by_provider).toMatchObject({ p1: 201, p2: 201, p3: 201 });
    expect(counts.records_by_label.volume).toBeGreaterThanOrEqual(603);
  });

  it('names every alert alike on both consortium nodes, so watchers deduplicate', async () => {
    for (const p of ['p1', 'p2', 'p3']) {
      const ids = await eventually(async () => {
        const [a, b] = [(await backlog(p, 'c1')).map((x) => x.id).sort(), (await backlog(p, 'c2')).map((x) => x.id).sort()];
        return a.length > 0 && JSON.stringify(a) === JSON.stringify(b) && a;
      }, 20_000, `${p} alerts equal on c1 and c2`);
      expect(new Set(ids).size).toBe(ids.length);
    }
    // The provider's own inbox (fed by both nodes) holds each alert once.
    const inbox = await eventually(async () => {
      const rows = await nodes.p1!.db.sql<{ alert_id: string }[]>`SELECT alert_id FROM alert_inbox`;
      return rows.length >= 2 && rows;
    }, 20_000, 'p1 inbox');
    expect(new Set(inbox.map((r) => r.alert_id)).size).toBe(inbox.length);
  });

  it('resumes a watch from its cursor without losing or repeating alerts', async () => {
    const all = await backlog('p2', 'c1');
    expect(all.length).toBeGreaterThanOrEqual(2);
    const rest = await backlog('p2', 'c1', all[0]!.cursor);
    expect(rest.map((a) => a.id)).toEqual(all.slice(1).map((a) => a.id));
    // A following watcher that is cut off mid-way and reconnects with its last cursor sees each new alert exactly once.
    const seen: Alert[] = [];
    const abort = new AbortController();
    const follow = (async () => {
      for await (const a of alertClient('p2', 'c1').watch(all.at(-1)!.cursor, { signal: abort.signal })) {
        seen.push(a);
        abort.abort();
      }
    })();
    const jws = await signFeedback({ overlap_id: all[0]!.overlapId, verdict: 'confirmed' }, { id: 'p1', key: nodes.p1!.key.privateKey });
    const before = (await alertClient('p1', 'c1').getCampaign(all[0]!.campaignId)).campaign!.score;
    const res = await alertClient('p1', 'c1').submitFeedback(jws);
    expect(res.campaignScore).toBeGreaterThan(before);
    await follow;
    const resumed = await backlog('p2', 'c1', seen.at(-1)!.cursor);
    const received = [...seen, ...resumed];
    expect(received.map((a) => a.kind)).toContain(AlertKind.FEEDBACK);
    expect(new Set(received.map((a) => a.id)).size).toBe(received.length);
    expect(received.map((a) => a.id)).toEqual((await backlog('p2', 'c1', all.at(-1)!.cursor)).map((a) => a.id));
    const fb = received.find((a) => a.kind === AlertKind.FEEDBACK)!;
    expect(fb.feedbackFrom).toBe(''); // 'count' disclosure hides who
  });

  it('withdraws overlaps, alerts and campaign links when a record is retracted', async () => {
    const campaignId = (await backlog('p1', 'c1'))[0]!.campaignId;
    await publish('p2', [], ['b-1']);
    const w = await eventually(async () => (await backlog('p1', 'c1')).find((a) => a.kind === AlertKind.WITHDRAWAL), 20_000, 'p1 withdrawal');
    expect(w.reason).toBe('retracted');
    expect(w.withdrawnAlertId).toBe((await backlog('p1', 'c1'))[0]!.id);
    // p1's only link is gone: it no longer sees a campaign; p2 and p3 shared only b-1's email, so that overlap is withdrawn too.
    expect((await alertClient('p1', 'c1').listCampaigns()).campaigns).toEqual([]);
    await eventually(async () => (await backlog('p3', 'c1')).some((a) => a.kind === AlertKind.WITHDRAWAL), 20_000, 'p3 withdrawal');
    await expect(alertClient('c1', 'c1').getCampaign(campaignId)).resolves.toMatchObject({ campaign: { status: 2 } });
    // Replicas agree.
    await eventually(async () => (await backlog('p1', 'c2')).some((a) => a.kind === AlertKind.WITHDRAWAL), 20_000, 'c2 withdrawal');
  });

  it('withdraws overlaps when a record expires', async () => {
    const shared = randomBytes(32);
    await publish('p1', [account('a-exp', [[TokenKind.DEVICE, shared]], 4_000)]);
    await publish('p3', [account('c-exp', [[TokenKind.DEVICE, shared]])]);
    const overlap = await eventually(async () => (await backlog('p3', 'c1')).find((a) => a.ownRecordIds.includes('c-exp') && a.kind === AlertKind.OVERLAP), 20_000, 'expiring overlap');
    await new Promise((r) => setTimeout(r, 4_500));
    await matcher('c1').sweepExpired();
    const w = await eventually(async () => (await backlog('p3', 'c1')).find((a) => a.kind === AlertKind.WITHDRAWAL && a.withdrawnAlertId === overlap.id), 10_000, 'expiry withdrawal');
    expect(w.reason).toBe('expired');
  });
});
