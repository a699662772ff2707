import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertKind } from '../../src/gen/cordon/v1/alerts_pb.js';
import { TokenKind } from '../../src/gen/cordon/v1/common_pb.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { account, matchingHelpers } from '../support/matching.js';

/**
 * A campaign's timeline names the campaigns it absorbed only to viewers who
 * may know them by the listing rule (src/match/disclosure.ts): X (p1, p2)
 * absorbs Z (p3, p4); p1 was never in Z, so X's timeline must not show it Z's
 * id, while p3 (who was in Z) and the consortium operator see the merge whole.
 */
describe('campaign timelines after a merge', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  let h: ReturnType<typeof matchingHelpers>;
  const tokenA = randomBytes(32);
  const tokenB = randomBytes(32);
  let x = '';
  let z = '';

  const campaignOf = async (provider: string, record: string) =>
    (await eventually(async () => (await h.backlog(provider, 'c1')).find((a) => a.kind === AlertKind.OVERLAP && a.ownRecordIds.includes(record)), 20_000, `${provider} overlap on ${record}`)).campaignId;

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, ...['p1', 'p2', 'p3', 'p4'].map((id) => ({ id, role: 'provider' as const })),
    ], { policy: { disclosure: 'names' } });
    nodes.c1 = await startInProcess(fed, 'c1');
    for (const id of ['p1', 'p2', 'p3', 'p4']) nodes[id] = await startInProcess(fed, id, { replication_interval_ms: 60_000 });
    h = matchingHelpers(fed, nodes);
    // X: p1 and p2 share token A; it is the older campaign, so it survives the merge.
    await h.publish('p1', [account('a-1', [[TokenKind.PAYMENT, tokenA]])]);
    await h.publish('p2', [account('b-1', [[TokenKind.PAYMENT, tokenA]])]);
    x = await campaignOf('p1', 'a-1');
    // Z: p3 and p4 share token B.
    await h.publish('p3', [account('c-1', [[TokenKind.EMAIL, tokenB]])]);
    await h.publish('p4', [account('d-1', [[TokenKind.EMAIL, tokenB]])]);
    z = await campaignOf('p3', 'c-1');
    expect(z).not.toBe(x);
    // A p4 record holding both tokens joins the two.
    await h.publish('p4', [account('d-2', [[TokenKind.PAYMENT, tokenA], [TokenKind.EMAIL, tokenB]])]);
    await eventually(async () => {
      const [row] = await nodes.c1!.db.sql<{ status: string; merged_into: string | null }[]>`SELECT status, merged_into FROM campaigns WHERE campaign_id = ${z}`;
      return row?.status === 'merged' && row.merged_into === x;
    }, 20_000, 'Z merged into X');
  }, 120_000);

  afterAll(async () => {
    h?.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  const timelineText = async (viewer: string) => {
    const res = await h.alertClient(viewer, 'c1').getCampaign(x);
    return { kinds: res.timeline.map((e) => e.kind), text: res.timeline.map((e) => `${e.kind} ${e.detailJson}`).join('\n') };
  };

  it('hides an absorbed campaign from a provider that was never in it', async () => {
    const { kinds, text } = await timelineText('p1');
    expect(kinds).toContain('formed');
    expect(text).not.toContain(z);
    expect(kinds).not.toContain('merged');
  });

  it('shows the merge to a provider of the absorbed campaign and to the consortium operator', async () => {
    for (const viewer of ['p3', 'c1']) {
      const { text } = await timelineText(viewer);
      expect(text, viewer).toContain(z);
      expect(text, viewer).toMatch(/^merged /m);
    }
  });
});
