import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CONSORTIUM_SECRET_FILE, inspectSecretJwe, loadTokenPrf } from '../../src/crypto/consortium-secret.js';
import { createNodeEncryptionKey, ENC_KEY_FILE, ENC_PUBLIC_FILE } from '../../src/crypto/encryption-key.js';

// Until commands/index.ts lists them, add the secret commands to the registry
// main() reads (once listed, this adds nothing).
vi.mock('../../src/cli/commands/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/cli/commands/index.js')>();
  const { consortiumIssueSecret, secretInstall } = await import('../../src/cli/commands/issue-secret.js');
  const extra = [consortiumIssueSecret, secretInstall].filter((c) => !original.commands.some((o) => o.name === c.name));
  return { ...original, commands: [...original.commands, ...extra] };
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += l + '\n'), err: (l) => (err += l + '\n'), interactive: false });
  return { code, out, err };
}

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('cordon consortium issue-secret / secret install', () => {
  let root: string;
  const dir = (id: string) => join(root, id);
  const secrets = () => join(root, 'secrets');
  const pub = (id: string) => `${id}=${join(dir(id), ENC_PUBLIC_FILE)}`;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cordon-secret-cli-'));
    for (const [id, role] of [['p1', 'provider'], ['p2', 'provider'], ['p3', 'provider'], ['c1', 'consortium']] as const) {
      const r = await cli(['init', '--id', id, '--role', role, '--dir', dir(id)]);
      expect(r.code, r.err).toBe(0);
      // init creates the encryption key once it is wired; until then, here.
      if (!existsSync(join(dir(id), ENC_KEY_FILE))) await createNodeEncryptionKey(dir(id));
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists help for both commands', async () => {
    for (const name of [['consortium', 'issue-secret'], ['secret', 'install']]) {
      const r = await cli([...name, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: cordon/);
    }
  });

  it('issues one secret to each recipient and installs it on each node', async () => {
    const r = await cli(['consortium', 'issue-secret', '--recipient', pub('p1'), '--recipient', pub('p2'), '--out', secrets()]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/issued consortium secret [0-9a-f]{32} \(version 1\) to 2 member/);
    for (const id of ['p1', 'p2']) {
      const file = join(secrets(), `${id}.secret.jwe`);
      expect(await mode(file)).toBe(0o600);
      expect(inspectSecretJwe(await readFile(file, 'utf8')).memberId).toBe(id);
      const inst = await cli(['secret', 'install', '--node', dir(id), file]);
      expect(inst.code, inst.err).toBe(0);
      expect(inst.out).toMatch(new RegExp(`installed consortium secret [0-9a-f]{32} \\(version 1\\) on '${id}'`));
      expect(await mode(join(dir(id), CONSORTIUM_SECRET_FILE))).toBe(0o600);
      // Stored as it came: still the encrypted JWE.
      expect((await readFile(join(dir(id), CONSORTIUM_SECRET_FILE), 'utf8')).trim()).toBe((await readFile(file, 'utf8')).trim());
    }
    const [a, b] = [await loadTokenPrf(dir('p1')), await loadTokenPrf(dir('p2'))];
    expect(a.secretId).toBe(b.secretId);
    expect(hex(a.tokenize(1, 'email', 'johndoe@gmail.com'))).toBe(hex(b.tokenize(1, 'email', 'johndoe@gmail.com')));

    // Installing the same secret again is a no-op.
    const again = await cli(['secret', 'install', '--node', dir('p1'), join(secrets(), 'p1.secret.jwe')]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/already installed/);
  });

  it("refuses another member's file, and a tampered one, leaving the installed secret alone", async () => {
    const before = await readFile(join(dir('p1'), CONSORTIUM_SECRET_FILE), 'utf8');
    let r = await cli(['secret', 'install', '--node', dir('p1'), join(secrets(), 'p2.secret.jwe')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/wrong recipient: addressed to member 'p2', not 'p1'/);
    expect(r.err.trim().split('\n')).toHaveLength(1);

    const jwe = (await readFile(join(secrets(), 'p1.secret.jwe'), 'utf8')).trim();
    const parts = jwe.split('.');
    const ct = parts[3]!;
    parts[3] = ct.slice(0, 5) + (ct[5] === 'A' ? 'B' : 'A') + ct.slice(6);
    const tampered = join(root, 'tampered.jwe');
    await writeFile(tampered, parts.join('.'));
    r = await cli(['secret', 'install', '--node', dir('p1'), tampered, '--replace']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/altered or is corrupt/);

    const garbage = join(root, 'garbage.jwe');
    await writeFile(garbage, 'not a jwe at all');
    r = await cli(['secret', 'install', '--node', dir('p1'), garbage]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a compact JWE/);

    r = await cli(['secret', 'install', '--node', dir('p1')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exactly one secret file/);
    expect(await readFile(join(dir('p1'), CONSORTIUM_SECRET_FILE), 'utf8')).toBe(before);
  });

  it('re-issues the installed secret to a new member (--from)', async () => {
    const out = join(root, 'secrets-add');
    const r = await cli(['consortium', 'issue-secret', '--from', dir('p1'), '--recipient', pub('p3'), '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/re-issued/);
    expect((await cli(['secret', 'install', '--node', dir('p3'), join(out, 'p3.secret.jwe')])).code).toBe(0);
    expect((await loadTokenPrf(dir('p3'))).secretId).toBe((await loadTokenPrf(dir('p1'))).secretId);
  });

  it('replaces a secret only with --replace', async () => {
    const out = join(root, 'secrets-v2');
    let r = await cli(['consortium', 'issue-secret', '--recipient', pub('p1'), '--version', '2', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const old = (await loadTokenPrf(dir('p1'))).secretId;
    r = await cli(['secret', 'install', '--node', dir('p1'), join(out, 'p1.secret.jwe')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`already holds secret ${old} \\(version 1\\).*--replace`));
    r = await cli(['secret', 'install', '--node', dir('p1'), join(out, 'p1.secret.jwe'), '--replace']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/version 2/);
    expect((await loadTokenPrf(dir('p1'))).secretId).not.toBe(old);
    // The output directory is not overwritten by accident.
    r = await cli(['consortium', 'issue-secret', '--recipient', pub('p1'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already holds .*p1\.secret\.jwe \(--force overwrites\)/);
  });

  it('takes recipients from a signed manifest, checked against it', async () => {
    const manifest = join(root, 'manifest.json');
    let r = await cli([
      'consortium', 'create', '--name', 'test', '--founders', 'c1', '--threshold', '1', '--out', manifest,
      ...['p1', 'p2', 'c1'].flatMap((id) => ['--member', join(dir(id), 'member.json')]),
    ]);
    expect(r.code, r.err).toBe(0);
    const out = join(root, 'secrets-manifest');
    r = await cli(['consortium', 'issue-secret', '--manifest', manifest, '--recipient', pub('p1'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/needs 1 founders' signatures, has 0/);
    expect((await cli(['consortium', 'sign', '--manifest', manifest, '--node', dir('c1')])).code).toBe(0);

    r = await cli(['consortium', 'issue-secret', '--manifest', manifest, '--recipient', pub('p3'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--recipient p3: not a member of the manifest/);

    r = await cli(['consortium', 'issue-secret', '--manifest', manifest, '--recipient', pub('p1'), '--recipient', pub('p2'), '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/consortium 'test'/);
    expect(inspectSecretJwe(await readFile(join(out, 'p2.secret.jwe'), 'utf8')).consortium).toBe('test');

    r = await cli(['consortium', 'issue-secret', '--recipient', `p1=${join(dir('p1'), 'key.jwk')}`, '--out', join(root, 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not an X25519 encryption key/);
    r = await cli(['consortium', 'issue-secret', '--out', join(root, 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--recipient or --manifest is required/);
  });
});
