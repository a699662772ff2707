import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../src/federation/node/start-node.js';
import { cli, createFederation, startInProcess, type Federation } from '../support/federation.js';

interface Check { check: string; status: string; detail: string }

/** `cordon doctor` against real nodes: a healthy consortium node, then broken keys, manifests, databases and peers. */
describe('cordon doctor', () => {
  let fed: Federation;
  const nodes: Record<string, RunningNode> = {};
  const doctor = async (id: string, ...flags: string[]) => {
    const r = await cli(['doctor', '--node', fed.dirs[id]!, '--json', ...flags]);
    const report = JSON.parse(r.out) as { ok: boolean; checks: Check[] };
    return { code: r.code, ok: report.ok, checks: new Map(report.checks.map((c) => [c.check, c])) };
  };

  beforeAll(async () => {
    fed = await createFederation([
      { id: 'c1', role: 'consortium' }, { id: 'c2', role: 'consortium' },
      { id: 'p1', role: 'provider' }, { id: 'p2', role: 'provider' },
    ]);
    for (const id of ['c1', 'c2']) nodes[id] = await startInProcess(fed, id);
  });
  afterAll(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
  });

  it('passes every check on a running consortium node, peers and clocks included, and prints a ✓ checklist', async () => {
    const { code, ok, checks } = await doctor('c1');
    expect([...checks.values()].filter((c) => c.status !== 'pass')).toEqual([]);
    expect(code).toBe(0);
    expect(ok).toBe(true);
    expect([...checks.keys()]).toEqual(['config', 'key permissions', 'key file', 'manifest', 'membership', 'database', 'migrations', 'peer c2']);
    expect(checks.get('peer c2')!.detail).toMatch(/SERVING, call token accepted, \d+ ms, clock [+−]\d+\.\d s/);
    expect(checks.get('migrations')!.detail).toMatch(/^all \d+ applied$/);
    // The server's own version string, as SHOW server_version names its column.
    expect(checks.get('database')!.detail).toMatch(/: PostgreSQL \d+(\.\d+)*( .*)?$/);

    const text = await cli(['doctor', '--node', fed.dirs.c1!]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^✓ config /m);
    expect(text.out).toMatch(/^✓ peer c2 /m);
    expect(text.out).toMatch(/all checks passed/);

    // The README's sample is what doctor prints: the same checks in the same order, each detail in
    // the same form (names, paths, versions and timings differ from node to node).
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const sample = /```\n\$ cordon doctor --node \S+\n([\s\S]*?)```/.exec(readme)?.[1]?.trimEnd().split('\n');
    expect(sample, 'README has a cordon doctor sample').toBeDefined();
    const printed = text.out.trimEnd().split('\n');
    const checkOf = (line: string) => /^[✓✗–] (\S+(?: \S+)*?)\s{2,}/.exec(line)?.[1] ?? line;
    expect(sample!.map(checkOf)).toEqual(printed.map(checkOf).map((c) => c.replace(/^peer \S+$/, 'peer c2')));
    const migrations = printed.find((l) => l.startsWith('✓ migrations'))!;
    expect(sample!.find((l) => l.startsWith('✓ migrations'))).toBe(migrations);
  });

  it('fails on a key file others can read, and on a key the manifest does not list for the node', async () => {
    const key = join(fed.dirs.p1!, 'key.jwk');
    await chmod(key, 0o644);
    let r = await doctor('p1', '--offline');
    expect(r.code).toBe(1);
    expect(r.checks.get('key permissions')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/is 0644: others can read.*chmod 600/) });
    await chmod(key, 0o600);

    const original = await readFile(key);
    await copyFile(join(fed.dirs.p2!, 'key.jwk'), key);
    try {
      r = await doctor('p1', '--offline');
      expect(r.code).toBe(1);
      expect(r.checks.get('key permissions')!.status).toBe('pass');
      expect(r.checks.get('membership')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/another key for 'p1'/) });
    } finally {
      await writeFile(key, original, { mode: 0o600 });
    }
  });

  it('fails on a manifest whose signatures do not verify, and skips the peers it cannot call', async () => {
    const manifest = join(fed.dirs.p2!, 'manifest.json');
    const original = await readFile(manifest, 'utf8');
    const jws = JSON.parse(original) as { payload: string };
    const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString()) as { members: { organisation: string }[] };
    payload.members[0]!.organisation = 'Someone Else';
    await writeFile(manifest, JSON.stringify({ ...jws, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') }));
    try {
      const r = await doctor('p2');
      expect(r.code).toBe(1);
      expect(r.checks.get('manifest')!.status).toBe('fail');
      expect(r.checks.get('membership')!.status).toBe('skip');
      expect(r.checks.get('peers')).toMatchObject({ status: 'skip' });
    } finally {
      await writeFile(manifest, original);
    }
  });

  it('fails on a database whose migrations were never applied, and on a peer that is down', async () => {
    // p1 never started: its database exists but is empty.
    const r = await doctor('p1');
    expect(r.checks.get('database')!.status).toBe('pass');
    expect(r.checks.get('migrations')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^\d+ of \d+ not applied \(001_federation, /) });
    expect(r.checks.get('peer c1')!.status).toBe('pass');

    await nodes.c2!.stop();
    delete nodes.c2;
    const c1 = await doctor('c1');
    expect(c1.code).toBe(1);
    expect(c1.checks.get('peer c2')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/unreachable/) });
  });

  it('fails on a config that does not match the schema, and checks nothing that depends on it', async () => {
    const config = join(fed.dirs.p2!, 'cordon.json');
    const original = await readFile(config, 'utf8');
    await writeFile(config, JSON.stringify({ ...JSON.parse(original), listen: 'nowhere' }));
    try {
      const r = await doctor('p2');
      expect(r.code).toBe(1);
      expect(r.checks.get('config')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/listen: must be host:port/) });
      expect([...r.checks.values()].slice(1).every((c) => c.status === 'skip')).toBe(true);
    } finally {
      await writeFile(config, original);
    }
  });
});
