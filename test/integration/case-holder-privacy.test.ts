import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENC_KEY_FILE, readEncryptionKey } from '../../src/crypto/encryption-key.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { Membership } from '../../src/federation/membership/membership.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { MATCHING_PART, type MatchingPart } from '../../src/federation/node/parts/matching.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { RecordKind, RecordSchema, TokenKind, TokenSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { CaseStatus, InvestigationService, WatchCasesRequestSchema, type CaseMessage, type CaseSummary } from '../../src/gen/cordon/v1/investigations_pb.js';
import { CaseClient } from '../../src/investigate/cases/client/case-client.js';
import { OPEN_CASE_FLOOR_MS } from '../../src/investigate/cases/service/open-case.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';

/**
 * What an opener can read about a case must not say who holds the queried
 * token (the rule "never tell the opener who was asked"): p1 opens one case
 * on a token p2, p3 and p4 hold and one on a random token, and every field
 * p1 can read — the OpenCase answer, GetCase (summary and raw JWEs), ListCases,
 * WatchCases, `cordon case show/list` — has the same shape, the same
 * recipients (only p1) and the same sizes. A holder sees only its own
 * recipient entry.
 */
const HOUR = 3_600_000;
const HOLDERS = ['p2', 'p3', 'p4'];
const PURPOSE = 'campaign cp-7: same card at your lab?';
const m = InvestigationService.method;
/** Fields that differ between any two cases (time, position): compared apart (the cursor's step) or not at all. */
const VARYING = new Set(['cursor', 'openedMs', 'updatedMs', 'atMs']);

interface Seen {
  summary: CaseSummary;
  messages: CaseMessage[];
}

/** Every string replaced by its length, every bigint by its type: what sizes and structure a reader sees. */
const shape = (v: unknown): unknown => {
  if (typeof v === 'string') return `string(${v.length})`;
  if (typeof v === 'bigint') return 'bigint';
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return v;
};
/** A JWE's readable parts: the decoded protected header and each recipient's header without its ephemeral key. */
const headers = (jwe: string) => {
  const j = JSON.parse(jwe) as { protected: string; recipients: { header: { epk?: unknown } & Record<string, unknown> }[] };
  return { protected: JSON.parse(Buffer.from(j.protected, 'base64url').toString('utf8')) as unknown, recipients: j.recipients.map((r) => ({ ...r.header, epk: undefined })) };
};
const kids = (jwe: string): string[] => (JSON.parse(jwe) as { recipients: { header: { kid: string } }[] }).recipients.map((r) => r.header.kid);

describe('a case does not tell its opener (or a holder) who holds the token', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const peers: Record<string, PeerClient> = {};
  let opener: CaseClient;
  const X = randomBytes(32);
  const query = (value: Uint8Array) => ({ epoch: 1, tokens: [{ kind: TokenKind.PAYMENT, value }] });

  const raw = async (id: string, caseId: string): Promise<Seen> => {
    const res = await peers[id]!.call(m.getCase, create(m.getCase.input, { caseId }));
    return { summary: res.summary!, messages: res.messages };
  };
  const watched = async (caseId: string) => {
    for await (const msg of peers.p1!.stream(m.watchCases, create(WatchCasesRequestSchema, { cursor: 0n, backlogOnly: true }))) if (msg.case?.caseId === caseId) return msg.case;
    throw new Error(`case ${caseId} not in p1's WatchCases backlog`);
  };
  /** Everything p1 can read about one case it opened, with the case id, times and cursor blanked. */
  const openerView = async (caseId: string, opened: { remainingToday: bigint }) => {
    const got = await raw('p1', caseId);
    const listed = (await peers.p1!.call(m.listCases, create(m.listCases.input, {}))).cases.find((c) => c.caseId === caseId);
    const show = await cli(['case', 'show', caseId, '--json', '--node', fed.dirs.p1!]);
    const list = await cli(['case', 'list', '--node', fed.dirs.p1!]);
    const view = {
      opened, summary: got.summary, listed, watched: await watched(caseId),
      messages: got.messages.map((msg) => ({ ...msg, jwe: JSON.parse(msg.jwe) as unknown })),
      show: JSON.parse(show.out) as unknown,
      list: list.out.split('\n').filter((l) => l.includes(caseId)).map((l) => l.replace(/^#\d+ /, '#N ').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')),
      read: await opener.read(caseId),
    };
    const text = JSON.stringify(view, (k, v: unknown) => (VARYING.has(k) ? 'varies' : typeof v === 'bigint' ? `n${v}` : v));
    return JSON.parse(text.replaceAll(caseId, 'CASE')) as Record<string, unknown>;
  };

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, ...['p1', ...HOLDERS].map((id) => ({ id, role: 'provider' as const })), { id: 'reg', role: 'regulator' }]);
    for (const id of ['c1', ...HOLDERS]) nodes[id] = await startInProcess(fed, id, id === 'c1' ? {} : { replication_interval_ms: 60_000 });
    const now = Date.now();
    for (const id of HOLDERS) {
      const record = create(RecordSchema, {
        recordId: `${id}-r1`, epoch: 1, kind: RecordKind.ACCOUNT, tokens: [create(TokenSchema, { kind: TokenKind.PAYMENT, value: X })],
        labels: ['volume'], score: 0.9, firstSeenMs: BigInt(now - HOUR), lastSeenMs: BigInt(now), expiresMs: BigInt(now + 24 * HOUR),
      });
      await appendToChain(nodes[id]!.db.sql, id, nodes[id]!.key.privateKey, { records: [record], retractions: [] });
      await nodes[id]!.flush();
    }
    const matcher = nodes.c1!.part<MatchingPart>(MATCHING_PART)!.matcher;
    await eventually(async () => (await matcher.holders([{ epoch: 1, kind: TokenKind.PAYMENT, token: X }]))[0]!.length === HOLDERS.length, 20_000, 'all holders indexed');
    // The holders' batches are logged after acceptance, by the integrator: wait for it, so that the
    // cases' log entries below follow one another with nothing else between them.
    await eventually(async () => {
      const [row] = await nodes.c1!.db.sql<{ pending: number }[]>`SELECT count(*) FILTER (WHERE log_idx IS NULL)::int AS pending FROM batches`;
      return row!.pending === 0;
    }, 20_000, 'every batch logged');
    for (const id of ['p1', ...HOLDERS]) peers[id] = new PeerClient({ id, key: (await readNodeKey(join(fed.dirs[id]!, 'key.jwk'))).privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    opener = new CaseClient({ id: 'p1', key: (await readNodeKey(join(fed.dirs.p1!, 'key.jwk'))).privateKey }, await readEncryptionKey(join(fed.dirs.p1!, ENC_KEY_FILE)), await Membership.load(fed.manifest), { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
  }, 180_000);

  afterAll(async () => {
    opener?.closeChannel();
    for (const p of Object.values(peers)) p.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('shows the opener the same thing whether three providers or none hold the token', async () => {
    const timed = async (value: Uint8Array) => {
      const started = performance.now();
      const r = await opener.open(query(value), PURPOSE);
      return { ...r, ms: performance.now() - started };
    };
    const held = await timed(X);
    const none = await timed(randomBytes(32));
    const after = await timed(randomBytes(32));
    // The holders were asked (so the cases do differ at the node).
    for (const id of HOLDERS) expect((await raw(id, held.caseId)).summary.ownRecordIds).toEqual([`${id}-r1`]);

    const h = await openerView(held.caseId, { remainingToday: held.remainingToday + 1n });
    const r = await openerView(none.caseId, { remainingToday: none.remainingToday + 2n });
    // Recipient lists: only the opener's own entry, in both.
    expect((h.messages as { jwe: { recipients: { header: { kid: string } }[] } }[]).map((x) => x.jwe.recipients.map((e) => e.header.kid))).toEqual([['p1']]);
    expect(r.messages).toEqual([expect.objectContaining({ jwe: expect.objectContaining({ recipients: [expect.objectContaining({ header: expect.objectContaining({ kid: 'p1' }) })] }) })]);
    // Every field: same structure and sizes (strings by length), and the same values wherever no randomness or time is involved.
    expect(shape(h)).toEqual(shape(r));
    expect({ ...h, messages: undefined }).toEqual({ ...r, messages: undefined });
    // Cursors: a case with three holders advances the opener's listing exactly as one with none.
    const cursor = async (id: string) => (await raw('p1', id)).summary.cursor;
    expect((await cursor(none.caseId)) - (await cursor(held.caseId))).toBe((await cursor(after.caseId)) - (await cursor(none.caseId)));
    // The log entry's index (in the OpenCase answer): one entry per case, whoever was asked.
    expect([none.opening.log_index - held.opening.log_index, after.opening.log_index - none.opening.log_index]).toEqual([1, 1]);
    // Timing: no OpenCase answers before the floor, so how long it took does not count the holders.
    for (const x of [held, none, after]) expect(x.ms).toBeGreaterThanOrEqual(OPEN_CASE_FLOOR_MS - 1);
  });

  it('shows each holder only its own recipient entry, and nothing of another holder or its answer', async () => {
    const { caseId } = await opener.open(query(X), PURPOSE);
    const sizes = new Set<number>();
    for (const id of HOLDERS) {
      const seen = await raw(id, caseId);
      expect(seen.messages.map((msg) => kids(msg.jwe))).toEqual([[id]]);
      // Everything readable in it (the summary, each message's sender and headers; not the random key, IV, ciphertext and tag bytes) names no other holder.
      const readable = { summary: seen.summary, messages: seen.messages.map((msg) => ({ sender: msg.sender, ...headers(msg.jwe) })) };
      expect(JSON.stringify(readable, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(new RegExp(HOLDERS.filter((x) => x !== id).join('|')));
      sizes.add(seen.messages[0]!.jwe.length);
    }
    expect(sizes.size).toBe(1);
    // An answer, too, reaches the opener carrying only the opener's entry.
    const key = (await readNodeKey(join(fed.dirs.p2!, 'key.jwk'))).privateKey;
    const p2 = new CaseClient({ id: 'p2', key }, await readEncryptionKey(join(fed.dirs.p2!, ENC_KEY_FILE)), await Membership.load(fed.manifest), { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    await p2.answer(caseId, 'p1', { labels: ['volume'], linked_accounts: 1 });
    p2.closeChannel();
    const got = await raw('p1', caseId);
    expect(got.messages.map((msg) => [msg.sender, kids(msg.jwe)])).toEqual([['p1', ['p1']], ['p2', ['p1']]]);
    // p2's answer does not show to the other holders: p3 sees the case as open, last updated when opened, and so does its decline.
    const p3 = (await raw('p3', caseId)).summary;
    expect([p3.status, p3.updatedMs]).toEqual([CaseStatus.OPEN, p3.openedMs]);
    expect((await peers.p3!.call(m.respond, create(m.respond.input, { caseId, decline: true }))).status).toBe(CaseStatus.OPEN);
    expect((await raw('p1', caseId)).summary.status).toBe(CaseStatus.ANSWERED);
  });
});
