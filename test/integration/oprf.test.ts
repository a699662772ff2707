import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Server, ServerCredentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransparencyLog } from '../../src/audit/transparency-log.js';
import { loadConfig } from '../../src/config/load.js';
import { readNodeKey } from '../../src/crypto/keys.js';
import { Oprf } from '../../src/crypto/oprf/oprf.js';
import { OprfMode } from '../../src/crypto/oprf/suite.js';
import { encodeTokenInput } from '../../src/crypto/prf/token-prf.js';
import { addSignature, parseGeneralJws, readManifestPayload, unsignedManifest } from '../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../src/federation/membership/membership.js';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { OprfClient } from '../../src/federation/oprf/client/oprf-client.js';
import { createObliviousTokenPrf } from '../../src/federation/oprf/client/oblivious-token-prf.js';
import type { NodeFault } from '../../src/federation/oprf/client/threshold-client.js';
import { clientDefinition, serverDefinition } from '../../src/federation/grpc/service-definition.js';
import { EvaluateRequestSchema, OprfService, type EvaluateResponse } from '../../src/gen/cordon/v1/oprf_pb.js';
import { mintCallToken } from '../../src/federation/auth/call-token.js';
import { startCaptureProxy, type CaptureProxy } from '../support/capture-proxy.js';
import { cli, createFederation, eventually, startInProcess, type Federation } from '../support/federation.js';
import { freePort } from '../support/ports.js';
import { rawUnary } from '../support/raw-call.js';

/**
 * Oblivious tokenization end to end, on real nodes over loopback: four
 * consortium nodes (c1–c3 hold the epoch-1 key 2-of-3; c4 joins by
 * resharing), three providers. Every consortium node is advertised behind a
 * capturing proxy, so every byte a provider sends crosses one.
 */
const CONSORTIUM = ['c1', 'c2', 'c3', 'c4'] as const;
const BUDGET = 300;
const tag = randomBytes(4).toString('hex');
const email = (who: string) => `canary.${who}.${tag}@example.org`;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let fed: Federation;
const nodes: Record<string, RunningNode> = {};
const proxies: Record<string, CaptureProxy> = {};
let oprf: Oprf;

/** Signs the federation's manifest file by every founder and installs it at every node. */
async function signAndInstall(path: string): Promise<void> {
  for (const f of CONSORTIUM) expect((await cli(['consortium', 'sign', '--manifest', path, '--node', fed.dirs[f]!])).code).toBe(0);
  for (const dir of Object.values(fed.dirs)) await writeFile(join(dir, 'manifest.json'), await readFile(path));
}

/** The provider's oblivious token PRF, against the installed manifest or another one. */
async function obliviousPrf(provider: string, opts: { manifest?: string; onFault?: (f: NodeFault) => void } = {}) {
  const config = await loadConfig(fed.dirs[provider]!);
  const key = await readNodeKey(config.key_file);
  const membership = await Membership.load(opts.manifest ?? config.manifest_file);
  return createObliviousTokenPrf({ id: provider, key: key.privateKey }, membership, opts.onFault ? { onFault: opts.onFault } : {});
}

async function tokenOf(provider: string, epoch: number, value: string, opts: Parameters<typeof obliviousPrf>[1] = {}): Promise<string> {
  const t = await obliviousPrf(provider, opts);
  try {
    return hex((await t.prf.tokenizeBatch(epoch, [{ kind: 'email', value }]))[0]!);
  } finally {
    t.close();
  }
}

/**
 * Starts a consortium node in-process and waits until it answers at its
 * advertised address. (Clients in this process share grpc-js subchannels with
 * the other nodes' replication, which keeps retrying a node while it is down;
 * a call right after the start could meet that backoff and fail fast.)
 */
async function start(id: string): Promise<void> {
  nodes[id] = await startInProcess(fed, id);
  const key = await readNodeKey(join(fed.dirs.pa!, 'key.jwk'));
  const client = new OprfClient({ id: 'pa', key: key.privateKey }, { id, address: `127.0.0.1:${proxies[id]!.port}` });
  try {
    await eventually(() => client.getKeyInfo(1).then(() => true, (e: { code?: string }) => e.code === 'NOT_FOUND'), 15_000, `${id} reachable`);
  } finally {
    client.close();
  }
}

/** A gRPC man in the middle for OprfService: forwards to a node and, when told to, corrupts one evaluated element. */
async function startTamperingProxy(target: string) {
  const Upstream = makeGenericClientConstructor(clientDefinition(OprfService), 'OprfService');
  const upstream = new Upstream(target, credentials.createInsecure()) as Client & Record<string, Function>;
  const state = { tamper: false };
  const server = new Server();
  const implementation: Record<string, Function> = {};
  for (const method of OprfService.methods) {
    implementation[method.name] = (call: { request: Buffer; metadata: unknown }, callback: (err: ServiceError | null, res?: unknown) => void) => {
      upstream[method.localName]!(fromBinary(method.input, call.request), call.metadata, (err: ServiceError | null, res: EvaluateResponse) => {
        if (err) return callback(err);
        if (state.tamper && method.name === 'Evaluate') res.evaluatedElements[0] = oprf.group.mulBase(oprf.group.randomScalar());
        callback(null, res);
      });
    };
  }
  server.addService(serverDefinition(OprfService), implementation as never);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { port, state, close: () => { upstream.close(); server.forceShutdown(); } };
}

async function query<T>(id: string, run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(fed.databases[id]!, { max: 1, onnotice: () => undefined });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

/** Every table of a database as text, plus the raw bytes of every bytea column. */
async function dumpDatabase(id: string): Promise<Buffer> {
  return query(id, async (sql) => {
    const parts: Buffer[] = [];
    for (const { table_name } of await sql<{ table_name: string }[]>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`) {
      for (const r of await sql.unsafe(`SELECT t::text AS row FROM ${table_name} t`)) parts.push(Buffer.from(String(r.row)));
      for (const { column_name } of await sql<{ column_name: string }[]>`SELECT column_name FROM information_schema.columns WHERE table_name = ${table_name} AND data_type = 'bytea'`) {
        for (const r of await sql.unsafe(`SELECT ${column_name} AS b FROM ${table_name} WHERE ${column_name} IS NOT NULL`)) parts.push(Buffer.from(r.b as Uint8Array));
      }
    }
    return Buffer.concat(parts);
  });
}

beforeAll(async () => {
  oprf = await Oprf.load(OprfMode.VOPRF);
  const advertise: Record<string, number> = {};
  for (const id of CONSORTIUM) advertise[id] = await freePort();
  fed = await createFederation([...CONSORTIUM.map((id) => ({ id, role: 'consortium' as const })), ...['pa', 'pb', 'pc'].map((id) => ({ id, role: 'provider' as const }))], { advertise });
  for (const id of CONSORTIUM) proxies[id] = await startCaptureProxy(fed.ports[id]!, advertise[id]);
  const r = await cli(['consortium', 'set-policy', '--manifest', fed.manifest, '--set', 'token_mode=oblivious', '--set', `oprf_evaluations_per_day=${BUDGET}`]);
  expect(r.code, r.err).toBe(0);
  await signAndInstall(fed.manifest);
  await Promise.all(CONSORTIUM.map(start));
  const keygen = await cli(['oprf', 'keygen', '--node', fed.dirs.c1!, '--epoch', '1', '--threshold', '2', '--holders', 'c1,c2,c3']);
  expect(keygen.code, keygen.err).toBe(0);
  expect(keygen.out).toMatch(/generated epoch 1 key, generation 1, 2 of \[c1, c2, c3\]/);
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(nodes).map((n) => n.stop({ stopDatabase: false })));
  for (const p of Object.values(proxies)) await p.close();
});

describe('oblivious tokenization (threshold VOPRF across consortium nodes)', () => {
  it('generates the key without it existing anywhere: each holder keeps only its sealed share', async () => {
    const rows = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((id) => query(id, (sql) => sql<{ share_index: number; share_jwe: string }[]>`SELECT share_index, share_jwe FROM oprf_key_shares WHERE epoch = 1`)));
    expect(rows.map((r) => r.map((x) => x.share_index))).toEqual([[1], [2], [3], []]);
    // At rest a share is a JWE to the node's own key, never the scalar.
    for (const r of rows.flat()) expect(r.share_jwe.split('.')).toHaveLength(5);
    const status = await cli(['oprf', 'status', '--node', fed.dirs.pa!, '--epoch', '1']);
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/token mode: oblivious; budget 300/);
    expect(status.out).toMatch(/agreed by c1, c2, c3/);
  });

  it('refuses bad requests with the right status and changes nothing', async () => {
    const c1 = `127.0.0.1:${proxies.c1!.port}`;
    const token = async (caller: string) => mintCallToken(caller, (await readNodeKey(join(fed.dirs[caller]!, 'key.jwk'))).privateKey, 'c1');
    const evaluate = async (caller: string, epoch: number, elements: Uint8Array[]) =>
      rawUnary(c1, '/cordon.v1.OprfService/Evaluate', toBinary(EvaluateRequestSchema, create(EvaluateRequestSchema, { epoch, blindedElements: elements })), await token(caller));
    const valid = oprf.blind(new Uint8Array([1])).blindedElement;
    const usage = () => query('c1', (sql) => sql`SELECT provider_id, evaluations FROM oprf_usage`);
    const before = await usage();
    const notCanonical = await evaluate('pa', 1, [valid, new Uint8Array(32).fill(0xff)]);
    expect([notCanonical.code, notCanonical.details]).toEqual([status.INVALID_ARGUMENT, 'Evaluate: blinded element 1: not a canonical ristretto255 encoding']);
    expect((await evaluate('pa', 1, [new Uint8Array(32)])).details).toMatch(/blinded element 0: is the identity element/);
    expect((await evaluate('pa', 1, Array.from({ length: 4097 }, () => valid))).details).toMatch(/needs 1\.\.4096 blinded elements, got 4097/);
    expect(await evaluate('pa', 77, [valid])).toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/holds no share of epoch 77's OPRF key/) });
    expect(await evaluate('c2', 1, [valid])).toMatchObject({ code: status.PERMISSION_DENIED });
    expect(await usage()).toEqual(before);

    // A key is never generated twice, and a forged deal is refused: no share changes.
    const again = await cli(['oprf', 'keygen', '--node', fed.dirs.c2!, '--epoch', '1', '--threshold', '2', '--holders', 'c1,c2,c3']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds epoch 1 key, generation 1.*never generated twice/);
    const dealer = new OprfClient({ id: 'c2', key: (await readNodeKey(join(fed.dirs.c2!, 'key.jwk'))).privateKey }, { id: 'c1', address: c1 });
    try {
      const { deal } = await dealer.deal({ epoch: 99, generation: 1, threshold: 1, holders: ['c1'] });
      const forged = { ...deal!, deal: Uint8Array.from(deal!.deal) };
      forged.deal[forged.deal.length - 1]! ^= 1;
      await expect(dealer.finalize([forged])).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/signature by 'c1' does not verify/) });
    } finally {
      dealer.close();
    }
    expect(await query('c1', (sql) => sql`SELECT epoch FROM oprf_key_shares WHERE epoch = 99`)).toHaveLength(0);

    // Oblivious mode is the consortium's choice: in shared-key mode no node evaluates.
    const setMode = async (mode: string) => {
      expect((await cli(['consortium', 'set-policy', '--manifest', fed.manifest, '--set', `token_mode=${mode}`])).code).toBe(0);
      await signAndInstall(fed.manifest);
      const pushed = await cli(['consortium', 'push', '--manifest', fed.manifest, '--node', fed.dirs.c1!]);
      expect(pushed.code, pushed.err).toBe(0);
    };
    await setMode('shared-key');
    expect(await evaluate('pa', 1, [valid])).toMatchObject({ code: status.PERMISSION_DENIED, details: expect.stringMatching(/policy.token_mode is 'shared-key'/) });
    await setMode('oblivious');
    expect(await evaluate('pa', 1, [valid])).toMatchObject({ code: status.OK });
  });

  it('gives two providers the same token for the same identifier, over `cordon publish --raw`, and only blinded elements reach the consortium', async () => {
    const suspects = (p: string) => [0, 1].map((i) => JSON.stringify({
      id: `acct-${p}-${i}`, identifiers: { email: [i === 0 ? email('alice').toUpperCase() : email(`${p}${i}`)], device: [`dev-canary-${tag}-${i}`] },
      score: 0.9, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2099-01-01T00:00:00Z',
    })).join('\n');
    for (const p of ['pa', 'pb']) {
      const file = join(fed.root, `suspects-${p}.jsonl`);
      await writeFile(file, suspects(p));
      const r = await cli(['publish', '--raw', file, '--node', fed.dirs[p]!]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/2 account records \(4 tokens, epoch 1\)/);
    }
    const shared = await eventually(() => query('c1', async (sql) => {
      const rows = await sql<{ provider_id: string; tokens: Uint8Array }[]>`SELECT provider_id, tokens FROM records WHERE kind = 1`;
      const sets = new Map<string, Set<string>>();
      for (const r of rows) for (let i = 0; i < r.tokens.length; i += 33) (sets.get(r.provider_id) ?? sets.set(r.provider_id, new Set()).get(r.provider_id)!).add(hex(r.tokens.subarray(i, i + 33)));
      if (sets.size < 2) return undefined;
      return [...sets.get('pa')!].filter((t) => sets.get('pb')!.has(t));
    }), 20_000, 'both providers at c1');
    // alice's email and the two device ids.
    expect(shared).toHaveLength(3);
    const alice = `01${await tokenOf('pc', 1, email('alice'))}`;
    expect(shared).toContain(alice);

    // The canary: no raw or normalized identifier, no unkeyed hash, no PRF input and no unblinded
    // input element (HashToGroup of the input) on the wire to any consortium node or in its database.
    const values = [email('alice'), email('alice').toUpperCase(), email('pa1'), email('pb1'), `dev-canary-${tag}-0`, `dev-canary-${tag}-1`];
    const needles: { label: string; bytes: Buffer }[] = [];
    for (const v of values) {
      needles.push({ label: `raw ${v}`, bytes: Buffer.from(v) });
      for (const algo of ['sha256', 'md5']) needles.push({ label: `${algo}(${v})`, bytes: createHash(algo).update(v).digest() }, { label: `${algo}(${v}) hex`, bytes: Buffer.from(createHash(algo).update(v).digest('hex')) });
      for (const kind of ['email', 'device'] as const) {
        const input = encodeTokenInput(1, kind, v);
        needles.push({ label: `PRF input ${kind} ${v}`, bytes: input }, { label: `HashToGroup(${kind} ${v})`, bytes: Buffer.from(oprf.inputElement(input)) });
      }
    }
    const haystacks = [
      ...CONSORTIUM.map((id) => ({ where: `wire to ${id}`, bytes: proxies[id]!.bytes() })),
      ...(await Promise.all(CONSORTIUM.map(async (id) => ({ where: `database of ${id}`, bytes: await dumpDatabase(id) })))),
    ];
    // The haystacks are real: evaluations crossed c1's and c2's wires, and tokens reached the databases.
    expect(proxies.c1!.bytes().length).toBeGreaterThan(2_000);
    expect(haystacks.find((h) => h.where === 'database of c1')!.bytes.includes(Buffer.from(shared[0]!.slice(2), 'hex'))).toBe(true);
    const leaks = needles.flatMap((n) => haystacks.filter((h) => h.bytes.includes(n.bytes)).map((h) => `${n.label} in ${h.where}`));
    expect(leaks).toEqual([]);
  });

  it('logs every evaluation batch as counts, never inputs, and enforces the daily budget with RESOURCE_EXHAUSTED', async () => {
    const items = Array.from({ length: BUDGET }, (_, i) => ({ kind: 'email' as const, value: `budget${i}.${tag}@example.org` }));
    const t = await obliviousPrf('pc');
    try {
      // pc already spent 1 on c1 and c2 (its alice token above): the full budget no longer fits, a smaller batch does.
      await expect(t.prf.tokenizeBatch(1, items)).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
      expect(await t.prf.tokenizeBatch(1, items.slice(1))).toHaveLength(BUDGET - 1);
      const refused = await t.prf.tokenizeBatch(1, items.slice(0, 1)).catch((e: unknown) => e as Error & { code: string });
      expect(refused).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
      expect((refused as Error).message).toMatch(/'pc' has used 300 of its 300 evaluations for \d{4}-\d\d-\d\d \(UTC\)/);
    } finally {
      t.close();
    }
    const usage = await query('c1', (sql) => sql<{ provider_id: string; evaluations: string }[]>`SELECT provider_id, evaluations FROM oprf_usage ORDER BY provider_id`);
    expect(usage.find((u) => u.provider_id === 'pc')!.evaluations).toBe(String(BUDGET));
    const log = new TransparencyLog(nodes.c1!.db.sql);
    const entries = await Promise.all(Array.from({ length: await log.size() }, (_, i) => log.entry(i)));
    const parsed = entries.filter((e) => e.kind === 'oprf_evaluation').map((e) => JSON.parse(Buffer.from(e.entry).toString('utf8')) as Record<string, unknown>);
    expect(parsed.length).toBeGreaterThanOrEqual(4);
    for (const p of parsed) expect(Object.keys(p).sort()).toEqual(['at', 'count', 'day', 'epoch', 'generation', 'node', 'provider', 'type', 'used_today']);
    expect(parsed.filter((p) => p.provider === 'pc').map((p) => p.count)).toEqual([1, BUDGET - 1]);
  });

  it('still tokenizes with one of the three holders down (t = 2), to the same token', async () => {
    const before = await tokenOf('pa', 1, email('alice'));
    await nodes.c1!.stop({ stopDatabase: false });
    try {
      expect(await tokenOf('pb', 1, email('alice'))).toBe(before);
    } finally {
      await start('c1');
    }
  });

  it('catches a node that returns a wrong evaluation by its proof, and names it', async () => {
    // A manifest in which c3 is reached through a man in the middle that corrupts evaluations.
    const mitm = await startTamperingProxy(`127.0.0.1:${fed.ports.c3}`);
    const manifest = readManifestPayload(parseGeneralJws(await readFile(fed.manifest, 'utf8'), 'manifest'), 'manifest');
    let doc = unsignedManifest({ ...manifest, members: manifest.members.map((m) => (m.id === 'c3' ? { ...m, endpoints: { grpc: `127.0.0.1:${mitm.port}` } } : m)) });
    for (const f of CONSORTIUM) doc = addSignature(doc, f, (await readNodeKey(join(fed.dirs[f]!, 'key.jwk'))).privateKey);
    const tampered = join(fed.root, 'manifest-mitm.json');
    await writeFile(tampered, JSON.stringify(doc));
    const faults: NodeFault[] = [];
    const expected = await tokenOf('pa', 1, email('alice'));
    mitm.state.tamper = true;
    await nodes.c2!.stop({ stopDatabase: false });
    try {
      // c2 down, so c3 must answer, and its evaluation fails its proof: no token, c3 named.
      const err = await tokenOf('pb', 1, email('alice'), { manifest: tampered, onFault: (f) => faults.push(f) }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/c3: wrong evaluation: its DLEQ proof does not verify against its public share key/);
      expect(faults.map((f) => f.node)).toEqual(['c3']);
      // Untampered, the same route gives the right token.
      mitm.state.tamper = false;
      expect(await tokenOf('pb', 1, email('alice'), { manifest: tampered })).toBe(expected);
    } finally {
      await start('c2');
      mitm.close();
    }
  });

  it('reshares the key to new holders (c3 leaves, c4 joins) without changing any token', async () => {
    const before = await tokenOf('pa', 1, email('alice'));
    // A provider that keeps its client across the resharing: its cached key goes stale and is fetched again.
    const longLived = await obliviousPrf('pb');
    expect(hex((await longLived.prf.tokenizeBatch(1, [{ kind: 'email', value: email('alice') }]))[0]!)).toBe(before);
    const r = await cli(['oprf', 'reshare', '--node', fed.dirs.c4!, '--epoch', '1', '--holders', 'c1,c2,c4']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/reshared epoch 1 key, generation 2, 2 of \[c1, c2, c4\]/);
    expect(r.out).toMatch(/dropped their shares: c3/);
    const generations = await Promise.all(CONSORTIUM.map((id) => query(id, (sql) => sql<{ generation: number }[]>`SELECT generation FROM oprf_key_shares WHERE epoch = 1`)));
    expect(generations.map((g) => g.map((x) => x.generation))).toEqual([[2], [2], [], [2]]);
    expect(await tokenOf('pb', 1, email('alice'))).toBe(before);
    expect(hex((await longLived.prf.tokenizeBatch(1, [{ kind: 'email', value: email('alice') }]))[0]!)).toBe(before);
    expect((await longLived.client.key(1)).generation).toBe(2);
    longLived.close();
    // The new shares alone: c2 down leaves c1 and c4.
    await nodes.c2!.stop({ stopDatabase: false });
    try {
      expect(await tokenOf('pb', 1, email('alice'))).toBe(before);
    } finally {
      await start('c2');
    }
  });

  it('rotates to a new epoch with a new key: providers re-tokenize and match again within the epoch', async () => {
    const gen = await cli(['oprf', 'keygen', '--node', fed.dirs.c2!, '--epoch', '2', '--threshold', '2', '--holders', 'c1,c2,c4']);
    expect(gen.code, gen.err).toBe(0);
    const rotated = await cli(['rotate', '--epoch', '2', '--node', fed.dirs.pa!]);
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out).toMatch(/rotated 2 records to epoch 2/);
    const epoch1 = await tokenOf('pb', 1, email('alice'));
    const epoch2 = await tokenOf('pb', 2, email('alice'));
    expect(epoch2).not.toBe(epoch1);
    const atC1 = await eventually(() => query('c1', async (sql) => {
      const rows = await sql<{ tokens: Uint8Array }[]>`SELECT tokens FROM records WHERE provider_id = 'pa' AND epoch = 2 AND retracted_seq IS NULL`;
      return rows.length === 2 ? rows.map((r) => hex(r.tokens)).join('') : undefined;
    }), 20_000, "pa's epoch-2 records at c1");
    expect(atC1).toContain(`01${epoch2}`);
    expect(atC1).not.toContain(epoch1);
  });
});
