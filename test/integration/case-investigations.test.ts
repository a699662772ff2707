import { create } from '@bufbuild/protobuf';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransparencyLog } from '../../src/audit/transparency-log.js';
import { ENC_KEY_FILE, readEncryptionKey } from '../../src/crypto/encryption-key.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { createTemplateSigner } from '../../src/crypto/minhash.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { InvestigationService } from '../../src/gen/cordon/v1/investigations_pb.js';
import { seal } from '../../src/investigate/cases/envelope.js';
import { Membership } from '../../src/federation/membership/membership.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { MATCHING_PART, type MatchingPart } from '../../src/federation/node/parts/matching.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { RecordKind, RecordSchema, TemplateSignatureSchema, TokenKind, TokenSchema, type Record as BatchRecord } from '../../src/gen/cordon/v1/common_pb.js';
import { CaseRole, CaseStatus } from '../../src/gen/cordon/v1/investigations_pb.js';
import { CaseClient } from '../../src/investigate/cases/client/case-client.js';
import { open } from '../../src/investigate/cases/envelope.js';
import type { QueryOpening } from '../../src/investigate/cases/query-commitment.js';
import { createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';

/**
 * Issue 6 (cases, budgets, probing) on loopback: one consortium node, three
 * providers and a regulator. p2 holds a record with token X; p3 holds
 * nothing X; p1 investigates X. Budget 40 tokens a day; probing flagged
 * from 5 queries with ≥ 80% misses.
 */
const HOUR = 3_600_000;
const BUDGET = 40;
const PURPOSE = `canary-purpose-${randomBytes(8).toString('hex')}`;
const ANSWER_NOTE = `canary-answer-${randomBytes(8).toString('hex')}`;

function account(id: string, tokens: [TokenKind, Uint8Array][]): BatchRecord {
  const now = Date.now();
  return create(RecordSchema, {
    recordId: id, epoch: 1, kind: RecordKind.ACCOUNT, tokens: tokens.map(([kind, value]) => create(TokenSchema, { kind, value })),
    labels: ['volume'], score: 0.8, firstSeenMs: BigInt(now - HOUR), lastSeenMs: BigInt(now - 1000), expiresMs: BigInt(now + 90 * 24 * HOUR),
  });
}

const signer = createTemplateSigner(randomBytes(32));
const signature = (skeleton: string) => {
  const sig = signer.sign(skeleton);
  return { bands: sig.bands.map((b) => Uint8Array.from(b)), minhash: [...sig.minhash] };
};
const template = (id: string, skeleton: string): BatchRecord => {
  const now = Date.now();
  return create(RecordSchema, {
    recordId: id, epoch: 1, kind: RecordKind.TEMPLATE, labels: ['template_reuse'], score: 0.9, template: create(TemplateSignatureSchema, signature(skeleton)),
    firstSeenMs: BigInt(now - HOUR), lastSeenMs: BigInt(now - 1000), expiresMs: BigInt(now + 90 * 24 * HOUR),
  });
};
const SKELETON = 'You are an expert tutor. Solve the following problem step by step, showing all reasoning before the final answer: <PAYLOAD>. Format: Answer: <N>';
const NEAR = 'You are an expert tutor. Solve this problem step by step, showing all of your reasoning before the final answer: <PAYLOAD>. Format: Answer: <N>';
const FAR = 'Translate the following customer review into French and keep the tone informal, then list three keywords: <PAYLOAD>';

describe('investigation cases, budgets and probing', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const clients: Record<string, CaseClient> = {};
  const X = randomBytes(32);
  const tokens = (n: number) => Array.from({ length: n }, () => ({ kind: TokenKind.EMAIL, value: randomBytes(32) }));
  const hitX = { epoch: 1, tokens: [{ kind: TokenKind.PAYMENT, value: X }] };
  let c1db: postgres.Sql;
  let caseId = '';
  let opening: QueryOpening;
  const logEntries = async () => {
    const [row] = await c1db<{ size: number }[]>`SELECT size::int FROM merkle_logs WHERE log_id = ''`;
    const log = new TransparencyLog(c1db);
    return Promise.all(Array.from({ length: row?.size ?? 0 }, (_, i) => log.entry(i)));
  };

  beforeAll(async () => {
    fed = await createFederation(
      [{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'p3', role: 'provider' }, { id: 'reg', role: 'regulator' }],
      { policy: { extra: { investigation: { query_tokens_per_day: BUDGET, probing_min_queries: 5, probing_miss_ratio: 0.8 } } } },
    );
    for (const id of ['c1', 'p1', 'p2', 'p3']) nodes[id] = await startInProcess(fed, id, id === 'c1' ? {} : { replication_interval_ms: 60_000 });
    await appendToChain(nodes.p2!.db.sql, 'p2', nodes.p2!.key.privateKey, { records: [account('b-1', [[TokenKind.PAYMENT, X]]), template('b-t', SKELETON)], retractions: [] });
    await appendToChain(nodes.p3!.db.sql, 'p3', nodes.p3!.key.privateKey, { records: [account('c-1', [[TokenKind.PAYMENT, randomBytes(32)]])], retractions: [] });
    await nodes.p2!.flush();
    await nodes.p3!.flush();
    const matcher = nodes.c1!.part<MatchingPart>(MATCHING_PART)!.matcher;
    await eventually(async () => (await matcher.holders([{ epoch: 1, kind: TokenKind.PAYMENT, token: X }]))[0]!.length > 0, 20_000, 'p2 record indexed');
    const membership = await Membership.load(fed.manifest);
    for (const id of ['p1', 'p2', 'p3', 'reg']) {
      const key = (await readNodeKey(join(fed.dirs[id]!, 'key.jwk'))).privateKey;
      clients[id] = new CaseClient({ id, key }, await readEncryptionKey(join(fed.dirs[id]!, ENC_KEY_FILE)), membership, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    }
    c1db = postgres(fed.databases.c1!, { max: 2, onnotice: () => undefined });
  }, 120_000);

  afterAll(async () => {
    for (const c of Object.values(clients)) c.closeChannel();
    await c1db?.end();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('delivers a case only to the providers whose records match, and tells the opener nobody', async () => {
    ({ caseId, opening } = await clients.p1!.open(hitX, PURPOSE));
    const p2cases = await clients.p2!.list();
    expect(p2cases.map((c) => [c.caseId, c.role, c.opener, c.ownRecordIds])).toEqual([[caseId, CaseRole.ASKED, 'p1', ['b-1']]]);
    expect(await clients.p3!.list()).toEqual([]);
    await expect(clients.p3!.read(caseId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await clients.p2!.read(caseId)).purpose).toBe(PURPOSE);
    const mine = await clients.p1!.read(caseId);
    expect(mine.summary.role).toBe(CaseRole.OPENER);
    expect(mine.summary.ownRecordIds).toEqual([]);
    expect(mine.answers).toEqual([]);
  });

  it('matches template signatures by estimated similarity, not only tokens', async () => {
    const near = await clients.p1!.open({ epoch: 1, tokens: [], templates: [signature(NEAR)] }, 'similar template?');
    const far = await clients.p1!.open({ epoch: 1, tokens: [], templates: [signature(FAR)] }, 'unrelated template');
    const asked = await clients.p2!.list();
    expect(asked.find((c) => c.caseId === near.caseId)?.ownRecordIds).toEqual(['b-t']);
    expect(asked.some((c) => c.caseId === far.caseId)).toBe(false);
  });

  it('refuses a purpose not encrypted to every provider, before matching, and stores nothing', async () => {
    const key = (await readNodeKey(join(fed.dirs.p1!, 'key.jwk'))).privateKey;
    const peer = new PeerClient({ id: 'p1', key }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    const membership = await Membership.load(fed.manifest);
    const only = membership.members('provider').filter((x) => x.id !== 'p3').map((x) => ({ id: x.id, encJwk: x.enc_jwk }));
    const purposeJwe = await seal(new TextEncoder().encode('narrow'), 'purpose', 'p1', only);
    const count = async () => (await c1db<{ n: number }[]>`SELECT count(*)::int AS n FROM investigation_cases`)[0]!.n;
    const before = await count();
    const m = InvestigationService.method.openCase;
    await expect(peer.call(m, create(m.input, { epoch: 1, tokens: [create(TokenSchema, { kind: TokenKind.PAYMENT, value: X })], purposeJwe }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/missing: p3/) });
    expect(await count()).toBe(before);
    peer.close();
  });

  it('carries signed answers to the opener only', async () => {
    expect(await clients.p2!.answer(caseId, 'p1', { labels: ['volume'], linked_accounts: 3, volume_band: '10k-100k', first_seen: '2026-11-01T00:00:00Z', note: ANSWER_NOTE })).toBe(CaseStatus.ANSWERED);
    const seen = await clients.p1!.read(caseId);
    expect(seen.answers.map((a) => [a.from, a.linked_accounts, a.note])).toEqual([['p2', 3, ANSWER_NOTE]]);
    await expect(clients.p2!.decline(caseId)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(clients.p3!.decline(caseId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("holds only ciphertext of case messages in the consortium node's database (canary)", async () => {
    const tables = await c1db<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    expect(tables.length).toBeGreaterThan(10);
    // The query's salt, too, is the opener's: the node uses it for the log entry and keeps it nowhere.
    const salt = Buffer.from(opening.salt, 'base64url');
    expect(salt).toHaveLength(32);
    for (const canary of [PURPOSE, ANSWER_NOTE, opening.salt]) {
      const hex = canary === opening.salt ? salt.toString('hex') : Buffer.from(canary).toString('hex');
      for (const { table_name } of tables) {
        const [row] = await c1db.unsafe(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE position($1 in t::text) > 0 OR position($2 in t::text) > 0`, [canary, hex]);
        expect({ table_name, n: row!.n }).toEqual({ table_name, n: 0 });
      }
    }
    // The purpose is stored readable by the participants only: p3's entry was dropped, so p3 cannot decrypt it even with the ciphertext.
    const [purpose] = await c1db<{ recipients: string[]; jwe: string }[]>`SELECT recipients, jwe FROM investigation_messages WHERE case_id = ${caseId} AND kind = 'purpose'`;
    expect([...purpose!.recipients].sort()).toEqual(['p1', 'p2']);
    const p3key = await readEncryptionKey(join(fed.dirs.p3!, ENC_KEY_FILE));
    await expect(open(purpose!.jwe, 'p3', p3key.privateKey, 'test')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('escalation lets the regulator read the case and nobody outside the participants; closing ends it', async () => {
    await expect(clients.reg!.read(caseId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(clients.p2!.escalate(caseId)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await clients.p1!.escalate(caseId, opening)).toBe(CaseStatus.ESCALATED);
    const reg = await clients.reg!.read(caseId);
    expect(reg.summary.role).toBe(CaseRole.REGULATOR);
    expect(reg.escalation?.purpose).toBe(PURPOSE);
    expect(reg.escalation?.answers.map((a) => [a.from, a.note])).toEqual([['p2', ANSWER_NOTE]]);
    expect((await clients.reg!.list()).map((c) => c.caseId)).toEqual([caseId]);
    // The regulator learns what was asked, checked against the commitment in the node's log (inclusion in a signed head).
    expect(reg.escalation?.query).toMatchObject({ epoch: 1, tokens: [{ kind: TokenKind.PAYMENT, value: Uint8Array.from(X) }], templates: 0, logIndex: opening.log_index });
    await expect(clients.p3!.read(caseId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The escalation bundle is addressed to the regulator and the opener only.
    const [bundle] = await c1db<{ recipients: string[] }[]>`SELECT recipients FROM investigation_messages WHERE case_id = ${caseId} AND kind = 'escalation'`;
    expect([...bundle!.recipients].sort()).toEqual(['p1', 'reg']);
    expect(await clients.p1!.close(caseId)).toBe(CaseStatus.CLOSED);
    await expect(clients.p1!.close(caseId)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('lets the regulator catch an opener revealing another query than the one logged', async () => {
    const forged = await clients.p1!.open(hitX, 'about X');
    const other = { ...forged.opening, tokens: [{ kind: TokenKind.PAYMENT, value: randomBytes(32).toString('hex') }] };
    expect(await clients.p1!.escalate(forged.caseId, other)).toBe(CaseStatus.ESCALATED);
    await expect(clients.reg!.read(forged.caseId)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE', message: expect.stringMatching(/do not open the commitment in log entry/) });
  });

  it('refuses queries beyond the daily budget with RESOURCE_EXHAUSTED and changes nothing', async () => {
    const used = async () => (await c1db<{ tokens: number }[]>`SELECT tokens::int FROM investigation_usage WHERE provider_id = 'p3'`)[0]?.tokens ?? 0;
    const state = async () => ({
      cases: (await c1db<{ n: number }[]>`SELECT count(*)::int AS n FROM investigation_cases WHERE opener = 'p3'`)[0]!.n,
      usage: await c1db`SELECT * FROM investigation_usage WHERE provider_id = 'p3'`,
      log: (await logEntries()).length,
    });
    // p3 guesses: four queries of nine random tokens, all misses.
    for (let i = 0; i < 4; i++) await clients.p3!.open({ epoch: 1, tokens: tokens(9) }, `guess ${i}`);
    expect(await used()).toBe(BUDGET - 4);
    const before = await state();
    await expect(clients.p3!.open({ epoch: 1, tokens: tokens(5) }, 'one too many')).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(/36 of its 40 tokens/) });
    expect(await state()).toEqual(before);
    const last = await clients.p3!.open({ epoch: 1, tokens: tokens(4) }, 'exactly fits');
    expect(last.remainingToday).toBe(0n);
    await expect(clients.p3!.open({ epoch: 1, tokens: tokens(1) }, 'over')).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
  });

  it('writes every admitted query to the transparency log without tokens or purpose', async () => {
    const entries = (await logEntries()).filter((e) => e.kind === 'case_query').map((e) => JSON.parse(Buffer.from(e.entry).toString('utf8')) as Record<string, unknown>);
    const admitted = (await c1db<{ n: number }[]>`SELECT coalesce(sum(queries), 0)::int AS n FROM investigation_usage`)[0]!.n;
    expect(entries.length).toBe(admitted);
    expect(entries[0]).toMatchObject({ type: 'case_query', provider: 'p1', case_id: caseId, tokens: 1, templates: 0 });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(X.toString('hex'));
    expect(text).not.toContain('hit');
    expect(text).not.toContain('asked');
    // No plain hash of the query: any member could compute X's token and test the guess offline. Recomputed here as it was
    // logged before (SHA-256 over epoch, kind byte, token), and of the bare token; neither appears in any encoding in any leaf.
    const epoch = Buffer.alloc(4);
    epoch.writeUInt32BE(1);
    const digests = [createHash('sha256').update(epoch).update(Uint8Array.of(TokenKind.PAYMENT)).update(X).digest(), createHash('sha256').update(X).digest()];
    const leaves = (await logEntries()).filter((e) => e.kind === 'case_query');
    const first = leaves.find((e) => e.ref === caseId)!;
    expect(first).toBeDefined();
    for (const leaf of leaves) {
      const encodings = [Buffer.from(leaf.leaf).toString('hex'), Buffer.from(leaf.leaf).toString('base64'), Buffer.from(leaf.leaf).toString('base64url'), Buffer.from(leaf.entry).toString('utf8')];
      for (const d of digests) for (const enc of encodings) for (const form of [d.toString('hex'), d.toString('base64').replace(/=+$/, ''), d.toString('base64url')]) expect(enc).not.toContain(form);
    }
    // A commitment instead, which opens only with the opener's salt; and two equal queries are not linkable.
    const bodies = leaves.map((e) => JSON.parse(Buffer.from(e.entry).toString('utf8')) as { query_commitment?: string; provider: string; tokens: number });
    expect(bodies[0]!.query_commitment).toMatch(/^[0-9a-f]{64}$/);
    const p1Singles = bodies.filter((b) => b.provider === 'p1' && b.tokens === 1).map((b) => b.query_commitment);
    expect(p1Singles.length).toBeGreaterThanOrEqual(2);
    expect(new Set(p1Singles).size).toBe(p1Singles.length);
  });

  it('flags a provider whose queries mostly miss as probing, and not one whose queries hit', async () => {
    // p3's five admitted queries (the budget test) all missed; p1 follows up a real overlap six times, all hits.
    for (let i = 0; i < 5; i++) await clients.p1!.open(hitX, `follow-up ${i}`);
    const flags = await clients.reg!.probingFlags();
    expect(flags.map((f) => f.providerId)).toEqual(['p3']);
    expect(flags[0]).toMatchObject({ queries: 5n, misses: 5n, windowDays: 7 });
    await expect(clients.p1!.probingFlags()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('streams new case requests to the provider asked (WatchCases), resuming from a cursor', async () => {
    const backlog = async (id: string, cursor = 0n) => {
      const out = [];
      for await (const c of clients[id]!.watch(cursor, { backlogOnly: true })) out.push(c);
      return out;
    };
    const seen = await backlog('p2');
    const abort = new AbortController();
    const next = (async () => {
      for await (const c of clients.p2!.watch(seen.at(-1)!.cursor, { signal: abort.signal })) return c;
    })();
    const { caseId: fresh } = await clients.p1!.open(hitX, 'streamed');
    expect((await next)?.caseId).toBe(fresh);
    abort.abort();
    expect((await backlog('p3')).map((c) => c.opener)).toEqual(['p3', 'p3', 'p3', 'p3', 'p3']);
  });
});
