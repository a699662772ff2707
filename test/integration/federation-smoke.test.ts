import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { appendToChain } from '../../src/federation/provider/outbox.js';
import { createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

describe('federation smoke', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'reg', role: 'regulator' },
    ]);
    for (const id of ['c1', 'c2', 'reg']) nodes[id] = await startInProcess(fed, id);
    nodes.p1 = await startInProcess(fed, 'p1', { publish_to: ['c1'] });
  });
  afterAll(async () => {
    for (const n of Object.values(nodes)) await n.stop();
  });

  it('publishes to c1 and replicates to c2 and the regulator', async () => {
    await appendToChain(nodes.p1!.db.sql, 'p1', nodes.p1!.key.privateKey, { records: makeRecords(1200), retractions: [] }, { batchRecords: 500 });
    await nodes.p1!.flush();
    for (const id of ['c1', 'c2', 'reg']) {
      await eventually(async () => {
        const [row] = await nodes[id]!.db.sql`SELECT seq FROM chain_heads WHERE provider_id = 'p1'`;
        return row && row.seq === 3n;
      }, 15_000, `${id} head`);
    }
    const [count] = await nodes.c2!.db.sql`SELECT count(*)::int AS n FROM records`;
    expect(count!.n).toBe(1200);
  });
});
