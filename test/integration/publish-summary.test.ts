import { create } from '@bufbuild/protobuf';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { outboxFrom } from '../../src/store/outbox-store.js';
import { cli, createFederation, startInProcess, type Federation } from '../support/federation.js';

/**
 * `cordon publish` says how many batches this run signed and, per node, how
 * many of them went now, how many the node held already, and how many left
 * by earlier runs went with them; `cordon status` prints plain lines, and
 * JSON with [] for empty lists.
 */
/** Runs `f` with progress due every millisecond (CORDON_PROGRESS_MS, read when a command starts). */
async function withProgressEvery1ms<T>(f: () => Promise<T>): Promise<T> {
  process.env.CORDON_PROGRESS_MS = '1';
  try {
    return await f();
  } finally {
    delete process.env.CORDON_PROGRESS_MS;
  }
}

describe('publish summary and status output', () => {
  let fed: Federation;
  let c1: RunningNode | undefined;
  let n = 0;
  /** A records file of one record: one batch per publish. */
  const recordsFile = async (): Promise<string> => {
    const file = join(fed.root, `records-${++n}.jsonl`);
    const value = n.toString(16).padStart(2, '0').repeat(32);
    await writeFile(file, JSON.stringify({ record_id: `r${n}`, epoch: 1, tokens: [{ kind: 'device', value }], score: 0.5, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2099-01-01T00:00:00Z' }));
    return file;
  };
  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }]);
  });
  afterAll(async () => {
    await c1?.stop();
  });

  it('counts batches signed, sent now, already held and left by earlier runs', async () => {
    const p1 = fed.dirs.p1!;
    // c1 is down: two runs each sign one batch and leave it in the outbox.
    const a = await cli(['publish', await recordsFile(), '--node', p1, '--json']);
    expect(a.code, a.err).toBe(1);
    expect(JSON.parse(a.out)).toEqual({
      batches: 1, first_seq: 1, last_seq: 1, records: 1, retractions: 0,
      nodes: [{ node: 'c1', head_seq: null, sent: 0, already_held: null, earlier_sent: 0, error: expect.stringMatching(/^c1: /) }],
    });
    const b = await cli(['publish', await recordsFile(), '--node', p1]);
    expect(b.code).toBe(1);
    expect(b.out.trim().split('\n')).toEqual(['signed 1 batch (seq 2): 1 records, 0 retractions']);
    expect(b.err).toMatch(/^c1: not delivered: c1: .* \(0 of this run's batch sent before that; the rest stay in the outbox/m);

    // c1 comes up holding nothing of p1's chain…
    c1 = await startInProcess(fed, 'c1');
    const empty = await cli(['status', '--node', p1, '--json']);
    expect(empty.code, empty.err).toBe(0);
    expect(JSON.parse(empty.out)).toEqual({ node: 'p1', role: 'provider', manifest_version: expect.any(Number), nodes: [{ id: 'c1', manifest_version: expect.any(Number), heads: [] }] });
    expect((await cli(['status', '--node', p1])).out).toMatch(/^ {2}c1: manifest v\d+, no chains yet$/m);

    // …then takes batch 1 from elsewhere, as a running provider node resends it.
    const sql = postgres(fed.databases.p1!, { max: 1, onnotice: () => undefined });
    const config = await loadConfig(p1);
    const client = new PeerClient({ id: 'p1', key: (await readNodeKey(config.key_file)).privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    try {
      const [first] = await outboxFrom(sql, 1n, 1);
      await client.publish(create(SignedBatchSchema, { batch: first!.batch, signature: first!.signature }));
    } finally {
      client.close();
      await sql.end();
    }

    // This run signs batch 3, sends it and batch 2 (left by run b); batch 1 c1 held already.
    const c = await cli(['publish', await recordsFile(), '--node', p1]);
    expect(c.code, c.err).toBe(0);
    expect(c.out.trim().split('\n')).toEqual([
      'signed 1 batch (seq 3): 1 records, 0 retractions',
      "c1: head seq 3; of this run's batch, 1 sent now and 0 already held; also sent 1 batch left in the outbox by earlier runs",
    ]);
    // The next run finds nothing left over; --json stays silent on stderr even with progress due.
    const d = await withProgressEvery1ms(async () => cli(['publish', await recordsFile(), '--node', p1, '--json']));
    expect(d.code, d.err).toBe(0);
    expect(d.err).toBe('');
    expect(JSON.parse(d.out).nodes).toEqual([{ node: 'c1', head_seq: 4, sent: 1, already_held: 0, earlier_sent: 0 }]);
    // Delivery progress: a commit at c1 takes longer than 1 ms, so the interval has passed by the acknowledgement.
    const e = await withProgressEvery1ms(async () => cli(['publish', await recordsFile(), '--node', p1]));
    expect(e.code, e.err).toBe(0);
    expect(e.err).toMatch(/^publish: delivering: 1 batches, [\d.]+ batches\/s$/m);
    const quiet = await withProgressEvery1ms(async () => cli(['publish', await recordsFile(), '--node', p1, '--quiet']));
    expect(quiet.code, quiet.err).toBe(0);
    expect(quiet.err).toBe('');

    const status = await cli(['status', '--node', p1]);
    expect(status.code).toBe(0);
    expect(status.out.trim().split('\n')).toEqual([expect.stringMatching(/^p1 \(provider\), manifest v\d+$/), expect.stringMatching(/^ {2}c1: manifest v\d+, heads: p1 seq 6$/)]);
    expect(status.out).not.toMatch(/[{}]/);
    expect(JSON.parse((await cli(['status', '--node', p1, '--json'])).out).nodes[0].heads).toEqual([{ provider: 'p1', seq: 6 }]);
  });

  it('status prints an unreachable node on its own line, and JSON keeps the error', async () => {
    await c1?.stop();
    c1 = undefined;
    const r = await cli(['status', '--node', fed.dirs.p1!]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {2}c1: unreachable: /m);
    const j = await cli(['status', '--node', fed.dirs.p1!, '--json']);
    expect(JSON.parse(j.out).nodes).toEqual([{ id: 'c1', error: expect.any(String) }]);
  });
});
