import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertKind } from '../../src/gen/cordon/v1/alerts_pb.js';
import { TokenKind } from '../../src/gen/cordon/v1/common_pb.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { account, matchingHelpers } from '../support/matching.js';

/**
 * A revoked provider takes no further part in matching (src/match/match-env.ts):
 * once the consortium node adopts the manifest that revokes it, a batch from
 * an active provider sharing tokens with its records links nothing new to
 * them and raises no alert that goes to it or names it. What it was part of
 * before stays as history.
 */
describe('matching after a provider is revoked', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  let h: ReturnType<typeof matchingHelpers>;
  const linked = randomBytes(32); // p1 and p2 share it before the revocation
  const heldOnly = randomBytes(32); // only p2 holds it before the revocation

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' }, { id: 'p3', role: 'provider' },
    ], { policy: { disclosure: 'names' } });
    nodes.c1 = await startInProcess(fed, 'c1');
    for (const id of ['p1', 'p2', 'p3']) nodes[id] = await startInProcess(fed, id, { replication_interval_ms: 60_000 });
    h = matchingHelpers(fed, nodes);
    await h.publish('p1', [account('a-1', [[TokenKind.PAYMENT, linked]])]);
    await h.publish('p2', [account('b-1', [[TokenKind.PAYMENT, linked]]), account('b-2', [[TokenKind.DEVICE, heldOnly]])]);
    await eventually(async () => (await h.backlog('p1', 'c1')).some((a) => a.kind === AlertKind.OVERLAP), 20_000, 'p1-p2 overlap before the revocation');
  }, 120_000);

  afterAll(async () => {
    h?.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it("links nothing new to the revoked provider's records and alerts no one about them", async () => {
    const sql = nodes.c1!.db.sql;
    const p2Memberships = async () => (await sql<{ link_id: string; record_id: string }[]>`
      SELECT link_id, record_id FROM link_members WHERE provider_id = 'p2' ORDER BY link_id, record_id`).map((r) => `${r.link_id}/${r.record_id}`);
    const membershipsBefore = await p2Memberships();
    const cursor = (await sql<{ cursor: string }[]>`SELECT coalesce(max(cursor), 0)::text AS cursor FROM alerts`)[0]!.cursor;

    for (const args of [
      ['consortium', 'revoke', '--manifest', fed.manifest, '--id', 'p2'],
      ['consortium', 'sign', '--manifest', fed.manifest, '--node', fed.dirs.c1!],
      ['consortium', 'push', '--manifest', fed.manifest, '--node', fed.dirs.c1!],
    ]) {
      const r = await cli(args);
      expect(r.code, r.err).toBe(0);
    }
    await eventually(async () => nodes.c1!.membership.member('p2')?.status === 'revoked', 10_000, 'c1 adopts the revocation');

    // An active provider now shares p2's held-only token and the token p2 and p1 share.
    await h.publish('p3', [account('c-1', [[TokenKind.DEVICE, heldOnly]]), account('c-2', [[TokenKind.PAYMENT, linked]])]);
    await eventually(async () => {
      const [row] = await sql<{ pending: number; n: number }[]>`SELECT count(*) FILTER (WHERE NOT matched)::int AS pending, count(*)::int AS n FROM batches WHERE provider_id = 'p3'`;
      return row!.n > 0 && row!.pending === 0;
    }, 20_000, "c1 matched p3's batch");

    // p3 and p1 still overlap with each other (matching ran)...
    const p3Overlap = await eventually(async () => (await h.backlog('p3', 'c1')).find((a) => a.kind === AlertKind.OVERLAP), 20_000, 'p3 overlap with p1');
    expect(p3Overlap.ownRecordIds).toEqual(['c-2']);
    expect(p3Overlap.otherProviders).toEqual(['p1']);

    // ... but no alert raised since the revocation goes to p2 or names it.
    const raised = await sql<{ recipient: string; kind: string; body: { counterpart?: string; other_providers?: string[]; own_records?: string[] } }[]>`
      SELECT recipient, kind, body FROM alerts WHERE cursor > ${cursor}::bigint ORDER BY cursor`;
    expect(raised.length).toBeGreaterThan(0);
    for (const a of raised) {
      expect(a.recipient, JSON.stringify(a)).not.toBe('p2');
      expect(a.body.counterpart, JSON.stringify(a)).not.toBe('p2');
      expect(a.body.other_providers ?? [], JSON.stringify(a)).not.toContain('p2');
    }
    // c-1 shares a token only with a p2 record: it links to nothing.
    expect((await h.backlog('p3', 'c1')).some((a) => a.ownRecordIds.includes('c-1'))).toBe(false);
    expect(await sql`SELECT 1 FROM link_members WHERE provider_id = 'p3' AND record_id = 'c-1'`).toHaveLength(0);
    // p2's records are in no link they were not in before (the p1 overlap stays, as history).
    expect(await p2Memberships()).toEqual(membershipsBefore);
  });
});
