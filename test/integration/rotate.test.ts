import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { cli, createFederation, startInProcess, type Federation } from '../support/federation.js';

/** `cordon rotate`: a provider's records in force move to a new epoch; the old ones are retracted. */
describe('cordon rotate', () => {
  let fed: Federation;
  let c1: RunningNode;
  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }]);
    c1 = await startInProcess(fed, 'c1');
    const suspects = ['a', 'b', 'c'].map((id) => JSON.stringify({
      id, identifiers: { email: [`${id}.rotate@example.org`], device: [`dev-rotate-${id}`] }, score: 0.9,
      first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2099-01-01T00:00:00Z',
    }));
    const file = join(fed.root, 'suspects.jsonl');
    await writeFile(file, suspects.join('\n'));
    const r = await cli(['publish', '--raw', file, '--node', fed.dirs.p1!]);
    expect(r.code, r.err).toBe(0);
  });
  afterAll(async () => {
    await c1.stop();
  });

  it('re-tokenizes every active record for the new epoch and retracts the old ones', async () => {
    const before = await c1.db.sql<{ record_id: string; epoch: number; tokens: Uint8Array }[]>`SELECT record_id, epoch, tokens FROM records ORDER BY record_id`;
    expect(before.map((r) => r.epoch)).toEqual([1, 1, 1]);
    process.env.CORDON_PROGRESS_MS = '1';
    const r = await cli(['rotate', '--epoch', '2', '--node', fed.dirs.p1!]).finally(() => delete process.env.CORDON_PROGRESS_MS);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^rotated 3 records to epoch 2: signed 1 batch \(seq 2\)$/m);
    expect(r.out).toMatch(/^c1: head seq 2; of this run's batch, 1 sent now and 0 already held$/m);
    // Progress on stderr: a commit at c1 takes longer than the 1 ms interval.
    expect(r.err).toMatch(/^rotate: delivering: 1 batches, /m);
    const after = await c1.db.sql<{ record_id: string; epoch: number; tokens: Uint8Array; retracted_seq: bigint | null }[]>`SELECT record_id, epoch, tokens, retracted_seq FROM records`;
    const old = after.filter((x) => x.epoch === 1);
    const fresh = after.filter((x) => x.epoch === 2);
    expect(old).toHaveLength(3);
    expect(old.every((x) => x.retracted_seq === 2n)).toBe(true);
    expect(fresh).toHaveLength(3);
    expect(fresh.every((x) => x.retracted_seq === null)).toBe(true);
    // Same identifiers, new epoch: every token is new.
    const oldTokens = new Set(old.flatMap((x) => [Buffer.from(x.tokens).toString('hex')]));
    for (const x of fresh) expect(oldTokens.has(Buffer.from(x.tokens).toString('hex'))).toBe(false);
    // Nothing left to rotate.
    const again = await cli(['rotate', '--epoch', '2', '--node', fed.dirs.p1!]);
    expect(again.out).toMatch(/nothing to rotate/);
    const json = await cli(['rotate', '--epoch', '2', '--node', fed.dirs.p1!, '--json']);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toEqual({ epoch: 2, rotated: 0, batches: 0, nodes: [] });
  });
});
