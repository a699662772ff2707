import { create } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { MATCHING_PART, type MatchingPart } from '../../src/federation/node/parts/matching.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { RecordKind, RecordSchema, TokenKind, TokenSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';

/** `cordon case …` end to end: p1 opens about a token p2 holds, p2 answers, p1 escalates, the regulator reads, p1 closes. */
describe('cordon case', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const X = randomBytes(32);
  const as = (id: string, ...args: string[]) => cli(['case', ...args, '--node', fed.dirs[id]!]);

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    for (const id of ['c1', 'p1', 'p2']) nodes[id] = await startInProcess(fed, id);
    const now = Date.now();
    const record = create(RecordSchema, {
      recordId: 'b-1', epoch: 1, kind: RecordKind.ACCOUNT, tokens: [create(TokenSchema, { kind: TokenKind.PAYMENT, value: X })],
      labels: ['volume'], score: 0.9, firstSeenMs: BigInt(now - 60_000), lastSeenMs: BigInt(now), expiresMs: BigInt(now + 86_400_000),
    });
    await appendToChain(nodes.p2!.db.sql, 'p2', nodes.p2!.key.privateKey, { records: [record], retractions: [] });
    await nodes.p2!.flush();
    // p2's detector linked b-1's account to another one (same cluster): the answer's defaults come from here.
    await nodes.p2!.db.sql`INSERT INTO local_records (record_id, account_id, kind, epoch, cluster, labels, score, first_seen, last_seen, expires_at) VALUES
      ('b-1', 'acct-1', 'account', 1, 'k1', '{volume}', 0.9, '2026-05-01T00:00:00Z', now(), now() + interval '1 day'),
      ('b-2', 'acct-2', 'account', 1, 'k1', '{template_reuse}', 0.8, '2026-06-01T00:00:00Z', now(), now() + interval '1 day'),
      ('b-9', 'acct-9', 'account', 1, 'k9', '{other}', 0.8, '2026-01-01T00:00:00Z', now(), now() + interval '1 day')`;
    const matcher = nodes.c1!.part<MatchingPart>(MATCHING_PART)!.matcher;
    await eventually(async () => (await matcher.holders([{ epoch: 1, kind: TokenKind.PAYMENT, token: X }]))[0]!.length > 0, 20_000, 'indexed');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('has --help for each subcommand', async () => {
    for (const sub of ['open', 'list', 'show', 'respond', 'escalate', 'close', 'probing']) {
      const r = await cli(['case', sub, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: cordon case ${sub}`);
    }
  });

  it('runs a case through its lifecycle', async () => {
    const opened = await as('p1', 'open', '--token', `payment:${X.toString('hex')}`, '--purpose', 'same card at your lab?');
    expect(opened.err).toBe('');
    const id = /opened (cs-[0-9a-f]{32})/.exec(opened.out)![1]!;
    // The query's opening (salt and query) stays in p1's node directory, for its owner only.
    expect((await stat(join(fed.dirs.p1!, 'case-openings', `${id}.json`))).mode & 0o777).toBe(0o600);
    expect((await as('p2', 'list')).out).toMatch(new RegExp(`${id}\\s+open\\s+asked.*your records: b-1`));
    expect((await as('p2', 'show', id)).out).toContain('purpose: same card at your lab?');
    expect((await as('p2', 'respond', id, '--volume-band', '1k-10k', '--note', 'seen since May')).out).toContain('answered; case is answered');
    expect((await as('p1', 'show', id)).out).toContain('answer from p2 (signature ok): linked accounts 2, volume 1k-10k, first seen 2026-05-01T00:00:00.000Z, labels template_reuse,volume');
    expect((await as('p1', 'escalate', id)).out).toContain('is escalated');
    const reg = await as('reg', 'show', id, '--json');
    expect(JSON.parse(reg.out)).toMatchObject({ status: 'escalated', escalation: { purpose: 'same card at your lab?', answers: [{ from: 'p2', note: 'seen since May' }] } });
    // …and what p1 asked, opened from the commitment in c1's log.
    expect(JSON.parse(reg.out).escalation.query).toMatchObject({ verified: true, epoch: 1, tokens: [`payment:${X.toString('hex')}`], templates: 0 });
    expect((await as('reg', 'show', id)).out).toMatch(new RegExp(`escalated query \\(opens the commitment in log entry \\d+\\): epoch 1, tokens payment:${X.toString('hex')}`));
    expect((await as('p1', 'close', id)).out).toContain('is closed');
  });

  it('names what is wrong with bad input', async () => {
    const r = await as('p1', 'open', '--token', 'payment:zz', '--purpose', 'x');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--token must be KIND:HEX/);
    const s = await as('p1', 'show', 'cs-nope');
    expect(s.code).not.toBe(0);
    expect(s.err).toMatch(/not found/);
  });
});
