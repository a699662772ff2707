import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { cli, createFederation, type Federation } from '../support/federation.js';

/** Bad config, bad files, unreachable peers: one clear line naming what and where, a non-zero exit, no state change. */
describe('cordon CLI errors', () => {
  let fed: Federation;
  let scratch: string;
  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }]);
    scratch = await mkdtemp(join(tmpdir(), 'cordon-cli-'));
  });
  const outboxCount = async () => {
    const sql = postgres(fed.databases.p1!, { max: 1, onnotice: () => undefined });
    try {
      const [row] = await sql`SELECT count(*)::int AS n FROM outbox`.catch(() => [{ n: 0 }]);
      return row!.n as number;
    } finally {
      await sql.end();
    }
  };

  it('prints help for every command', async () => {
    for (const c of commands) {
      const r = await cli([...c.name.split(' '), '--help']);
      expect(r.code, c.name).toBe(0);
      expect(r.out, c.name).toMatch(/Usage: cordon/);
    }
    expect((await cli([])).code).toBe(2);
    expect((await cli(['frobnicate'])).err).toMatch(/unknown command 'frobnicate'/);
    expect((await cli(['consortium'])).err).toMatch(/needs a subcommand/);
  });

  it.each([
    [['init', '--id', 'Bad Id', '--role', 'provider', '--dir', '/tmp/x'], /--id 'Bad Id'/],
    [['init', '--id', 'ok', '--role', 'king', '--dir', '/tmp/x'], /--role 'king'/],
    [['init', '--id', 'ok', '--role', 'provider'], /--dir is required/],
    [['init', '--bogus'], /^cordon init: unknown option --bogus \(see cordon init --help\)$/m],
    [['consortium', 'create', '--name', 'x', '--out', '/tmp/m.json', '--founders', 'a', '--threshold', '1', '--member', '/nonexistent.json'], /member file \/nonexistent.json: does not exist/],
    [['publish'], /exactly one FILE/],
  ])('refuses bad arguments: %j', async (args, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('init --json prints what it created as one JSON object, and the files exist', async () => {
    const dir = join(scratch, 'json-init');
    const r = await cli(['init', '--id', 'j1', '--role', 'consortium', '--dir', dir, '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as Record<string, unknown>;
    expect(out).toMatchObject({ id: 'j1', role: 'consortium', dir, config: join(dir, 'cordon.json'), member: join(dir, 'member.json'), next: [expect.stringContaining('alert-key install')] });
    for (const file of [out.config, out.key, out.enc_key, out.member] as string[]) expect(existsSync(file), file).toBe(true);
  });

  it('names the config file and the field', async () => {
    const dir = join(scratch, 'badcfg');
    await cli(['init', '--id', 'x1', '--role', 'provider', '--dir', dir]);
    await writeFile(join(dir, 'cordon.json'), '{ "id": "x1", ');
    let r = await cli(['node', 'start', '--node', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`config ${join(dir, 'cordon.json')}: not valid JSON`));
    await writeFile(join(dir, 'cordon.json'), JSON.stringify({ id: 'x1', role: 'provider', organisation: 'o', listen: 'nowhere' }));
    r = await cli(['node', 'start', '--node', dir]);
    expect(r.err).toMatch(/listen: must be host:port/);
    await writeFile(join(dir, 'cordon.json'), JSON.stringify({ id: 'x1', role: 'provider', organisation: 'o', colour: 'blue' }));
    r = await cli(['node', 'start', '--node', dir]);
    expect(r.err).toMatch(/Unrecognized key.*colour/);
    r = await cli(['node', 'start', '--node', join(scratch, 'nothing-here')]);
    expect(r.err).toMatch(/no such directory \(create a node with cordon init --dir /);
  });

  // README, Errors: one line naming what was wrong and where, and the fix; exit 2 for bad input.
  const oneLine = async (args: string[], message: RegExp) => {
    const r = await cli(args);
    expect(r.code, r.err).toBe(2);
    expect(r.err.trimEnd().split('\n'), r.err).toEqual([expect.stringMatching(message)]);
  };

  it.each([
    ['7401', /^cordon init: --listen '7401': must be host:port, not a port alone, e\.g\. 127\.0\.0\.1:7401$/],
    ['localhost', /^cordon init: --listen 'localhost': must be host:port, not a host alone, e\.g\. localhost:7400$/],
    ['http://127.0.0.1:7400', /^cordon init: --listen 'http:\/\/127\.0\.0\.1:7400': must be host:port without a scheme/],
    ['127.0.0.1:99999', /^cordon init: --listen '127\.0\.0\.1:99999': port 99999 is out of range \(0 to 65535/],
  ])('refuses --listen %s at init, in one line naming the option and the fix, writing nothing', async (listen, message) => {
    const dir = join(scratch, `listen-${listen.replace(/\W/g, '_')}`);
    await oneLine(['init', '--id', 'l1', '--role', 'provider', '--dir', dir, '--listen', listen], message);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a listen port out of range in cordon.json or the environment, naming the field', async () => {
    const dir = join(scratch, 'badport');
    await cli(['init', '--id', 'x3', '--role', 'provider', '--dir', dir]);
    const config = join(dir, 'cordon.json');
    await writeFile(config, JSON.stringify({ ...JSON.parse(await readFile(config, 'utf8')), http_listen: '127.0.0.1:70000' }));
    await oneLine(['status', '--node', dir], new RegExp(`^cordon status: config ${config}: http_listen: port 70000 is out of range`));
  });

  it.each([
    [['status']], [['publish', '/dev/null']], [['campaigns']], [['alerts']], [['doctor']], [['node', 'start']],
    [['consortium', 'sign', '--manifest', '/dev/null']],
  ])('refuses a --node that is no directory: %j', async (args) => {
    const missing = join(scratch, 'no-such-node');
    await oneLine([...args, '--node', missing], new RegExp(`^cordon ${args[0]}.*: --node ${missing}: no such directory \\(create a node with cordon init --dir ${missing}, or name a node's directory with --node DIR\\)$`));
  });

  it('takes node start --dir as --node (the option cordon init creates the directory with), naming the one given', async () => {
    const missing = join(scratch, 'no-such-node');
    await oneLine(['node', 'start', '--dir', missing], new RegExp(`^cordon node start: --dir ${missing}: no such directory`));
    await oneLine(['node', 'start', '--dir', scratch], new RegExp(`^cordon node start: --dir ${scratch}: holds no node \\(no cordon\\.json; `));
    await oneLine(['node', 'start', '--dir', scratch, '--node', scratch], /^cordon node start: give --node DIR or --dir DIR, not both/);
  });

  it('suggests the command or option meant, in one line', async () => {
    await oneLine(['publsh'], /^cordon: unknown command 'publsh'; did you mean cordon publish\? \(cordon --help lists them\)$/);
    await oneLine(['consortium', 'crate'], /^cordon consortium: unknown subcommand 'crate'; did you mean cordon consortium create\? \(subcommands: create, /);
    await oneLine(['doctor', '--jsno'], /^cordon doctor: unknown option --jsno; did you mean --json\? \(see cordon doctor --help\)$/);
    await oneLine(['status', '--dir', scratch], /^cordon status: unknown option --dir; did you mean --node\? /);
    await oneLine(['publish', '-x'], /^cordon publish: unknown option -x \(see cordon publish --help\)$/);
    await oneLine(['status', '--node'], /^cordon status: --node needs a value \(see cordon status --help\)$/);
    await oneLine(['doctor', '--json=yes'], /^cordon doctor: --json takes no value /);
    await oneLine(['init', 'extra'], /^cordon init: unexpected argument 'extra': this command takes options only /);
    // Nothing close: no guess.
    await oneLine(['frobnicate'], /^cordon: unknown command 'frobnicate' \(cordon --help lists them\)$/);
  });

  it('refuses a malformed manifest at start', async () => {
    const dir = join(scratch, 'badmanifest');
    await cli(['init', '--id', 'x2', '--role', 'provider', '--dir', dir]);
    await writeFile(join(dir, 'manifest.json'), '{"payload":"e30","signatures":[]}');
    let r = await cli(['node', 'start', '--node', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/manifest .*manifest.json: consortium: /);
    await writeFile(join(dir, 'manifest.json'), 'garbage');
    r = await cli(['node', 'start', '--node', dir]);
    expect(r.err).toMatch(/manifest .*manifest.json: not JSON/);
    // A validly formed manifest without enough signatures is refused too.
    const doc = JSON.parse(await readFile(fed.manifest, 'utf8'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...doc, signatures: [] }));
    r = await cli(['node', 'start', '--node', fed.dirs.p1!, '--bogus']);
    expect(r.code).toBe(2);
  });

  it('reports a bad JSON-lines file by line and field, publishing nothing', async () => {
    const good = { record_id: 'r1', kind: 'account', epoch: 1, tokens: [{ kind: 'email', value: 'ab'.repeat(32) }], labels: ['x'], score: 0.5, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2027-01-01T00:00:00Z' };
    const cases: [string, RegExp][] = [
      [`${JSON.stringify(good)}\n{not json`, /:2: not JSON/],
      [`${JSON.stringify(good)}\n${JSON.stringify({ ...good, record_id: 'r2', tokens: [{ kind: 'email', value: 'abc' }] })}`, /:2: tokens.0.value: must be 32 bytes/],
      [`${JSON.stringify({ ...good, score: 7 })}`, /:1: score: /],
      [`${JSON.stringify(good)}\n${JSON.stringify(good)}`, /:2: record_id 'r1' appears twice/],
      [`${JSON.stringify({ ...good, email: 'raw@example.com' })}`, /:1: .*Unrecognized key/],
      ['', /no records/],
    ];
    for (const [text, message] of cases) {
      const file = join(scratch, 'records.jsonl');
      await writeFile(file, text);
      const r = await cli(['publish', file, '--node', fed.dirs.p1!]);
      expect(r.code, text).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(await outboxCount()).toBe(0);
  });

  it('says which consortium node could not be reached, keeping the batches for later', async () => {
    const file = join(scratch, 'one.jsonl');
    await writeFile(file, JSON.stringify({ record_id: 'r1', epoch: 1, tokens: [{ kind: 'device', value: 'cd'.repeat(32) }], score: 0.5, first_seen: '2026-11-01T00:00:00Z', last_seen: '2026-11-02T00:00:00Z', expires: '2027-01-01T00:00:00Z' }));
    const r = await cli(['publish', file, '--node', fed.dirs.p1!]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^c1: not delivered: c1: /m);
    expect(await outboxCount()).toBe(1);
  });
});
