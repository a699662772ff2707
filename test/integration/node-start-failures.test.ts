import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createFederation, type Federation } from '../support/federation.js';
import { freePort } from '../support/ports.js';

/** The embedded PostgreSQL of a node lives in DIR/data/pg (config data_dir, store/embedded.ts). */
const pgDataOf = (dir: string) => join(dir, 'data', 'pg');

/** True while any process runs with the node's PostgreSQL data directory on its command line (postgres -D DIR/data/pg). */
function postgresRunsOn(dir: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pgDataOf(dir)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `cordon node start` in a child process until it exits by itself. */
function nodeStart(dir: string, env: Record<string, string> = {}): Promise<{ code: number | null; err: string; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'node', 'start', '--node', dir], {
      env: { ...process.env, CORDON_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // A node that started is a failed test: stop it rather than leave it running.
      if (out.includes('listening on')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, err, out }));
  });
}

/** Takes host:port with a plain TCP listener, as another program holding the port would. */
function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * A `cordon node start` that fails starts nothing it leaves behind: taken or
 * impossible addresses are refused before the embedded PostgreSQL starts (in
 * well under the seconds a database start takes), and a failure after the
 * database started stops it before the command exits.
 */
describe('cordon node start: a failed start leaves nothing running', () => {
  let fed: Federation;
  let blocker: Server | undefined;
  beforeAll(async () => {
    fed = await createFederation([{ id: 'c1', role: 'consortium' }, { id: 'p1', role: 'provider' }], { embedded: ['c1', 'p1'] });
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });
  afterAll(async () => {
    // Whatever a failing run leaked is stopped here, so this file never leaves a server behind.
    for (const dir of Object.values(fed?.dirs ?? {})) {
      const pidFile = join(pgDataOf(dir), 'postmaster.pid');
      if (!existsSync(pidFile)) continue;
      const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // Already gone.
      }
    }
  });

  const expectNothingStarted = (dir: string) => {
    // No initdb and no server: the refusal came before the database was touched.
    expect(existsSync(join(pgDataOf(dir), 'PG_VERSION'))).toBe(false);
    expect(postgresRunsOn(dir)).toBe(false);
  };

  it('refuses a gRPC port another program holds, naming the address, before starting the database', async () => {
    blocker = await occupy(fed.ports.p1!);
    const address = `127.0.0.1:${fed.ports.p1}`;
    const r = await nodeStart(fed.dirs.p1!);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^cordon node start: cannot listen for gRPC on ${address}: address in use`))]);
    expectNothingStarted(fed.dirs.p1!);
  });

  it('refuses an HTTP port another program holds, naming the address, before starting the database', async () => {
    const httpPort = await freePort();
    blocker = await occupy(httpPort);
    const r = await nodeStart(fed.dirs.p1!, { CORDON_HTTP_LISTEN: `127.0.0.1:${httpPort}` });
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^cordon node start: cannot listen for HTTP on 127\\.0\\.0\\.1:${httpPort}: address in use`))]);
    expectNothingStarted(fed.dirs.p1!);
  });

  it('refuses a port out of range as bad configuration (exit 2), naming the variable that set it', async () => {
    const r = await nodeStart(fed.dirs.p1!, { CORDON_LISTEN: '127.0.0.1:99999' });
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^cordon node start: CORDON_LISTEN \(overrides listen of .*cordon\.json\): port 99999 is out of range/)]);
    expectNothingStarted(fed.dirs.p1!);
  });

  it('stops the embedded PostgreSQL it started when the start fails after it (a consortium node without its alert-id key)', async () => {
    const key = join(fed.dirs.c1!, 'alert-id-key.jwe');
    await rename(key, `${key}.away`);
    try {
      const r = await nodeStart(fed.dirs.c1!);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/alert-id-key\.jwe: does not exist/);
      // The database did start (the key is checked by a part that needs it) and was stopped again before the exit.
      expect(existsSync(join(pgDataOf(fed.dirs.c1!), 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(pgDataOf(fed.dirs.c1!), 'postmaster.pid'))).toBe(false);
      expect(postgresRunsOn(fed.dirs.c1!)).toBe(false);
    } finally {
      await rename(`${key}.away`, key);
    }
  });
});
