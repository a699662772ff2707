import { create } from '@bufbuild/protobuf';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNodeKey } from '../../src/crypto/keys.js';
import { GENESIS_DIGEST } from '../../src/federation/chain/limits.js';
import { PeerClient } from '../../src/federation/client/peer-client.js';
import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from '../../src/federation/node/parts/transparency-log.js';
import { buildSignedBatches } from '../../src/federation/provider/build-batch.js';
import { SignedBatchSchema } from '../../src/gen/cordon/v1/common_pb.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { makeRecords } from '../support/records.js';

/** `cordon audit fsck | verify | findings`: help, a clean log, and the tampering fsck must report. */
describe('cordon audit', () => {
  let fed: Federation;
  let sql: Sql;

  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }, { id: 'reg', role: 'regulator' }]);
    const c1 = await startInProcess(fed, 'c1');
    const p1 = await readNodeKey(`${fed.dirs.p1}/key.jwk`);
    const client = new PeerClient({ id: 'p1', key: p1.privateKey }, { id: 'c1', address: `127.0.0.1:${fed.ports.c1}` });
    for (const b of buildSignedBatches('p1', p1.privateKey, { seq: 0n, digest: GENESIS_DIGEST }, { records: makeRecords(40, 'cli'), retractions: [] }, { batchRecords: 2 })) {
      await client.publish(create(SignedBatchSchema, { batch: b.batch, signature: b.signature }));
    }
    client.close();
    await eventually(async () => ((await c1.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART)!.log.latestTreeHead())?.size === 20 ? true : undefined), 10_000, 'c1 logs 20 batches');
    await c1.stop({ stopDatabase: false });
    sql = postgres(fed.databases.c1!, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
  });

  it('each command has --help', async () => {
    for (const name of ['fsck', 'verify', 'findings']) {
      const r = await cli(['audit', name, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: cordon audit ${name}`));
    }
    expect((await cli(['audit'])).err).toMatch(/needs a subcommand: fsck, verify, findings/);
  });

  it('fsck passes on an intact log and names the node, the size and the root', async () => {
    const r = await cli(['audit', 'fsck', '--node', fed.dirs.c1!]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^c1 log: 20 leaves, \d+ heads: ok \(root [0-9a-f]{64}\)/m);
    expect(r.out).toMatch(/^c1 batches: 20 batch leaves: ok$/m);
  });

  it('fsck exits non-zero on a rewritten leaf, naming it, and on an accepted batch left out of the log', async () => {
    const [row] = await sql<{ data: Buffer }[]>`SELECT data FROM merkle_bundles WHERE log_id = '' AND idx = 0`;
    const data = Buffer.from(row!.data);
    data[data.length - 3]! ^= 0x01; // inside leaf 19's signature: same length, so the bundle still parses
    await sql`UPDATE merkle_bundles SET data = ${data} WHERE log_id = '' AND idx = 0`;
    await sql`UPDATE batches SET log_idx = NULL, received_at = now() - interval '1 minute' WHERE provider_id = 'p1' AND seq = 7`;
    const r = await cli(['audit', 'fsck', '--node', fed.dirs.c1!, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { ok: boolean; log: { mismatches: { kind: string; index: number }[] }; batches: { problems: { kind: string; ref: string }[] } };
    expect(report.ok).toBe(false);
    expect(report.log.mismatches.map((m) => `${m.kind}@${m.index}`)).toEqual(expect.arrayContaining(['leaf_hash@19', 'head_root@20']));
    expect(report.batches.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'unlogged', ref: 'p1#7' }),
      expect.objectContaining({ kind: 'leaf_mismatch', ref: 'p1#20' }),
    ]));
  });

  it('refuses the wrong node role and bad options with a clear message', async () => {
    const onReg = await cli(['audit', 'fsck', '--node', fed.dirs.reg!]);
    expect(onReg.code).toBe(2);
    expect(onReg.err).toMatch(/reg is a regulator node; only consortium nodes keep a transparency log/);
    expect((await cli(['audit', 'verify', '--node', fed.dirs.c1!])).err).toMatch(/c1 is a consortium node/);
    const kind = await cli(['audit', 'findings', '--node', fed.dirs.reg!, '--kind', 'bogus']);
    expect(kind.code).toBe(2);
    expect(kind.err).toMatch(/--kind must be one of rollback, fork, split_view/);
    const none = await cli(['audit', 'findings', '--node', fed.dirs.reg!]);
    expect(none.out.trim()).toBe('no findings');
  });
});
