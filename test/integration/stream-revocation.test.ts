import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert } from '../../src/gen/cordon/v1/alerts_pb.js';
import { RecordKind, RecordSchema, TokenKind, TokenSchema, type Record as BatchRecord } from '../../src/gen/cordon/v1/common_pb.js';
import { InvestigationService, WatchCasesRequestSchema } from '../../src/gen/cordon/v1/investigations_pb.js';
import { PsiService } from '../../src/gen/cordon/v1/psi_pb.js';
import { loadConfig } from '../../src/config/load.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import type { OpenStream } from '../../src/federation/grpc/open-streams.js';
import { startNode, type RunningNode } from '../../src/federation/node/start-node.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { createLogger } from '../../src/log.js';
import { AlertClient } from '../../src/match/client/alert-client.js';
import { inboxAfter } from '../../src/match/inbox/inbox-store.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';

const HOUR = 3_600_000;

function account(id: string, tokens: Uint8Array[]): BatchRecord {
  const now = Date.now();
  return create(RecordSchema, {
    recordId: id, epoch: 1, kind: RecordKind.ACCOUNT,
    tokens: tokens.map((value) => create(TokenSchema, { kind: TokenKind.PAYMENT, value })),
    labels: ['volume'], score: 0.8,
    firstSeenMs: BigInt(now - HOUR), lastSeenMs: BigInt(now - 1000), expiresMs: BigInt(now + 90 * 24 * HOUR),
  });
}

/** Reads a stream in the background: what arrived, and how it ended (undefined while open). */
function collect<T>(stream: AsyncIterable<T>) {
  const got: T[] = [];
  const state: { ended?: { error?: { code?: string; message?: string } } } = {};
  void (async () => {
    try {
      for await (const x of stream) got.push(x);
      state.ended = {};
    } catch (err) {
      state.ended = { error: err as { code?: string } };
    }
  })();
  return { got, state };
}

const names = (alerts: readonly Alert[]) => alerts.flatMap((a) => a.ownRecordIds);

/**
 * Revocation reaches open streams. A stream is admitted once, when it starts;
 * the node ends every stream of a member the moment it adopts a manifest that
 * makes the member inactive (grpc/open-streams.ts), so a revoked provider's
 * open alert stream carries nothing the node learns afterwards.
 */
describe('revocation ends open streams', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const peers: PeerClient[] = [];
  const alertClients: AlertClient[] = [];
  const peer = (from: string, to: string) => {
    const c = new PeerClient({ id: from, key: nodes[from]!.key.privateKey }, { id: to, address: `127.0.0.1:${fed.ports[to]}` });
    peers.push(c);
    return c;
  };
  const alerts = (from: string, to: string) => {
    const c = new AlertClient({ id: from, key: nodes[from]!.key.privateKey }, { id: to, address: `127.0.0.1:${fed.ports[to]}` });
    alertClients.push(c);
    return c;
  };
  const publish = async (id: string, records: BatchRecord[]) => {
    await appendToChain(nodes[id]!.db.sql, id, nodes[id]!.key.privateKey, { records, retractions: [] });
    await nodes[id]!.flush();
  };
  /** The node is serving `rpc` to `caller` (admitted, not yet ended). */
  const serving = (node: string, caller: string, rpc: string) =>
    eventually(async () => nodes[node]!.streams.open(caller).some((s) => s.rpc.endsWith(`/${rpc}`)), 10_000, `${node} serving ${rpc} to ${caller}`);

  const before = randomBytes(32);
  const after = randomBytes(32);
  /** p1's log, debug included. */
  const p1Log: { level: string; msg: string; code?: string }[] = [];

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'p3', role: 'provider' }]);
    nodes.c1 = await startInProcess(fed, 'c1');
    nodes.p3 = await startInProcess(fed, 'p3');
    const log = createLogger({ node: 'p1' }, { level: 'debug', write: (line) => p1Log.push(JSON.parse(line)) });
    nodes.p1 = await startNode({ ...(await loadConfig(fed.dirs.p1!)), replication_interval_ms: 100 }, { log });
    nodes.p2 = await startInProcess(fed, 'p2');
    // p1 holds two records; p2 overlaps the first now, and p2 and p3 the second only after p1 is revoked.
    await publish('p1', [account('a-1', [before]), account('a-2', [after])]);
    await publish('p2', [account('b-1', [before])]);
  }, 120_000);

  afterAll(async () => {
    for (const c of [...peers, ...alertClients]) c.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('ends a revoked provider\'s WatchAlerts, WatchCases and PSI streams with PERMISSION_DENIED, and delivers it no alert raised afterwards', async () => {
    const revoked = collect(alerts('p1', 'c1').watch(0n));
    const control = collect(alerts('p2', 'c1').watch(0n));
    const cases = collect(peer('p1', 'c1').stream(InvestigationService.method.watchCases, create(WatchCasesRequestSchema, { cursor: 0n })));
    const psi = peer('p1', 'p2').bidi(PsiService.method.intersect);
    const psiEnd = psi.receive().then((): { error?: { code?: string } } => ({}), (err: { code?: string }) => ({ error: err }));
    // Every stream is open and admitted before the revocation: p1's alert stream has delivered.
    await eventually(async () => names(revoked.got).includes('a-1'), 20_000, 'p1 alerted about a-1');
    await eventually(async () => names(control.got).includes('b-1'), 20_000, 'p2 alerted about b-1');
    await serving('c1', 'p1', 'WatchCases');
    await serving('p2', 'p1', 'Intersect');

    let r = await cli(['consortium', 'revoke', '--manifest', fed.manifest, '--id', 'p1']);
    expect(r.code, r.err).toBe(0);
    r = await cli(['consortium', 'sign', '--manifest', fed.manifest, '--node', fed.dirs.c1!]);
    expect(r.code, r.err).toBe(0);
    const manifest = await readFile(fed.manifest, 'utf8');
    await peer('c1', 'c1').updateManifest(manifest);
    await nodes.p2!.membership.update(JSON.parse(manifest));

    // Adopting the manifest ended the streams: their status is already on its way.
    for (const [what, s] of [['WatchAlerts', revoked.state], ['WatchCases', cases.state]] as const) {
      const ended = await eventually(async () => s.ended, 5_000, `${what} ended`);
      expect(ended.error?.code, what).toBe('PERMISSION_DENIED');
      expect(ended.error?.message, what).toMatch(/revoked/);
    }
    const psiEnded = await psiEnd;
    expect(psiEnded.error?.code).toBe('PERMISSION_DENIED');
    expect(nodes.c1!.streams.open('p1')).toEqual([]);
    expect(nodes.p2!.streams.open('p1')).toEqual([]);
    expect(control.state.ended).toBeUndefined();

    // A new overlap with p1's record: p2 hears of it (it overlaps p3 too); p1's stream, and p1's own alert inbox, never do.
    await publish('p3', [account('c-2', [after])]);
    await publish('p2', [account('b-2', [after])]);
    await eventually(async () => names(control.got).includes('b-2'), 20_000, 'p2 alerted about b-2');
    expect(names(revoked.got)).toEqual(['a-1']);
    const inbox = await inboxAfter(nodes.p1!.db.sql, 0n, 100);
    expect(inbox.flatMap((row) => row.alert.ownRecordIds)).not.toContain('a-2');
  });

  it('backs off delivery to the node that refused it, warning once rather than on every attempt', async () => {
    // Runs after the revocation above: p1's outbox has a batch c1 will refuse, every round.
    const refusals = () => p1Log.filter((l) => l.msg.startsWith('delivery') && l.code === 'PERMISSION_DENIED');
    await appendToChain(nodes.p1!.db.sql, 'p1', nodes.p1!.key.privateKey, { records: [account('a-3', [randomBytes(32)])], retractions: [] });
    // The background loop runs every 100 ms; backing off, it tries at about 0, 1, 3 s after the first refusal.
    await eventually(async () => refusals().length >= 3, 20_000, 'three refused deliveries');
    expect(refusals().filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(refusals().filter((l) => l.level !== 'warn').every((l) => l.level === 'debug')).toBe(true);
  });
});

/**
 * Stream lifetime: the node ends every stream after `stream_lifetime_ms`, so
 * its caller comes back with a fresh call token; followers resume from their
 * cursor without losing or repeating an alert.
 */
describe('stream lifetime', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const clients: AlertClient[] = [];
  const publish = async (id: string, records: BatchRecord[]) => {
    await appendToChain(nodes[id]!.db.sql, id, nodes[id]!.key.privateKey, { records, retractions: [] });
    await nodes[id]!.flush();
  };
  const first = randomBytes(32);
  const second = randomBytes(32);
  const ended: (OpenStream & { at: number })[] = [];

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }]);
    nodes.c1 = await startInProcess(fed, 'c1', { stream_lifetime_ms: 1_000 });
    nodes.c1.streams.onEnded((s, why) => {
      if (why.kind === 'lifetime') ended.push({ ...s, at: Date.now() });
    });
    nodes.p1 = await startInProcess(fed, 'p1');
    nodes.p2 = await startInProcess(fed, 'p2');
    await publish('p1', [account('a-1', [first]), account('a-2', [second])]);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('ends a follower\'s stream at its lifetime; the follower reconnects and receives later alerts exactly once', async () => {
    const client = new AlertClient({ id: 'p1', key: nodes.p1!.key.privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    clients.push(client);
    const watch = collect(client.watch(0n));
    await publish('p2', [account('b-1', [first])]);
    await eventually(async () => names(watch.got).includes('a-1'), 20_000, 'p1 alerted about a-1');

    // Both of p1's followers (this client and p1's own alert inbox) are ended by c1 and come back.
    const since = Date.now();
    await eventually(async () => {
      const open = nodes.c1!.streams.open('p1').filter((s) => s.rpc.endsWith('/WatchAlerts'));
      const cut = ended.filter((s) => s.callerId === 'p1' && s.rpc.endsWith('/WatchAlerts') && s.at >= since);
      return open.length === 2 && open.every((s) => s.openedAt > since) && cut.length >= 2;
    }, 20_000, 'p1\'s alert streams ended at their lifetime and reopened');
    expect(watch.state.ended).toBeUndefined();

    await publish('p2', [account('b-2', [second])]);
    await eventually(async () => names(watch.got).includes('a-2'), 20_000, 'p1 alerted about a-2 after reconnecting');
    await eventually(async () => (await inboxAfter(nodes.p1!.db.sql, 0n, 100)).some((r) => r.alert.ownRecordIds.includes('a-2')), 20_000, 'a-2 in p1\'s inbox');
    // Let another lifetime pass with nothing new: a resume from the wrong cursor would repeat what was sent.
    const quiet = Date.now();
    await eventually(async () => ended.some((s) => s.callerId === 'p1' && s.at > quiet + 1_000), 20_000, 'another lifetime');
    const inbox = await inboxAfter(nodes.p1!.db.sql, 0n, 100);
    const ids = watch.got.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(names(watch.got)).toEqual(['a-1', 'a-2']);
    expect(inbox.map((r) => r.alert.ownRecordIds).flat().sort()).toEqual(['a-1', 'a-2']);
    expect(new Set(inbox.map((r) => r.alert.id)).size).toBe(inbox.length);
  });
});
