import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, eventually } from '../support/federation.js';
import { freePort } from '../support/ports.js';
import { extractWalkthrough, withFreePorts } from '../support/readme-walkthrough.js';

/**
 * The README's "Running a federation by hand" walkthrough, run verbatim so it
 * cannot rot. What the test changes, and nothing else:
 *  - the fixed loopback ports (127.0.0.1:7401…) become free ones, the same
 *    port for the same fixed one everywhere (support/readme-walkthrough.ts);
 *  - HOME is a fresh temporary directory, so `~/cordon-walkthrough` lands there;
 *  - `cordon` is this checkout, installed as the README tells operators
 *    (`npm install -g .`) but under a temporary --prefix put first on PATH
 *    (--ignore-scripts: the checkout's own install already ran them;
 *    --offline: linking a folder needs no registry);
 *  - bash runs with -e -o pipefail, so the first failing command fails the test;
 *  - DATABASE_URL and CORDON_* are removed from the environment, so every node
 *    runs its embedded PostgreSQL exactly as on an operator's machine.
 */

const CHECKOUT = resolve('.');
/**
 * Five embedded PostgreSQL servers starting at once and ~24 CLI runs (tsx start ~2 s each, 5 s and
 * more when other suites share the 2 cores: 182 s measured at load average 13).
 */
const WALKTHROUGH_DEADLINE_MS = 360_000;
/** A graceful stop (SIGTERM) drains work and stops the embedded server; 30 s is the README's grace period. */
const STOP_DEADLINE_MS = 60_000;

interface Run { code: number | null; out: string; err: string }

function bash(args: string[], env: NodeJS.ProcessEnv, cwd: string, deadlineMs: number): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('bash', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), deadlineMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, out, err });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True while any process runs with this PostgreSQL data directory on its command line (as node-start-failures.test.ts checks). */
function postgresRunsOn(pgData: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pgData], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every node directory the walkthrough made under `home` (DIR/nodes/NAME with a cordon.json), with the pid it recorded. */
async function nodesUnder(home: string): Promise<{ dir: string; pgData: string; pid?: number }[]> {
  const found = [];
  for (const top of await readdir(home, { withFileTypes: true })) {
    const nodes = join(home, top.name, 'nodes');
    if (!top.isDirectory() || !existsSync(nodes)) continue;
    for (const entry of await readdir(nodes, { withFileTypes: true })) {
      const dir = join(nodes, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'cordon.json'))) continue;
      const pidFile = `${dir}.pid`;
      const pid = existsSync(pidFile) ? Number((await readFile(pidFile, 'utf8')).trim()) : undefined;
      found.push({ dir, pgData: join(dir, 'data', 'pg'), ...(pid ? { pid } : {}) });
    }
  }
  return found;
}

/** The node logs the walkthrough wrote, for a failure's message. */
async function nodeLogs(home: string): Promise<string> {
  const parts = [];
  for (const n of await nodesUnder(home)) {
    const log = `${n.dir}.log`;
    if (existsSync(log)) parts.push(`--- ${log}\n${(await readFile(log, 'utf8')).split('\n').slice(-15).join('\n')}`);
  }
  return parts.join('\n');
}

/** Last resort after a failed run: whatever is still up is killed, its embedded PostgreSQL stopped (fast shutdown). */
async function forceStop(home: string): Promise<void> {
  for (const n of await nodesUnder(home)) {
    if (n.pid && alive(n.pid)) process.kill(n.pid, 'SIGKILL');
    const pidFile = join(n.pgData, 'postmaster.pid');
    if (!existsSync(pidFile)) continue;
    const postmaster = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    if (postmaster && alive(postmaster)) process.kill(postmaster, 'SIGINT');
  }
}

/** The JSON array `cordon campaigns --json` printed last: from a line `[` to the next line `]`. */
function lastJsonArray(out: string): { id: string; provider_count: number }[] {
  const lines = out.split('\n');
  const start = lines.lastIndexOf('[');
  const end = lines.indexOf(']', start);
  if (start < 0 || end < 0) throw new Error(`no campaigns JSON in the walkthrough's output:\n${out}`);
  return JSON.parse(lines.slice(start, end + 1).join('\n')) as { id: string; provider_count: number }[];
}

describe('README walkthrough', () => {
  const homes: string[] = [];

  afterAll(async () => {
    for (const home of homes) {
      await forceStop(home);
      await rm(home, { recursive: true, force: true });
    }
  });

  it('runs verbatim: nodes start, both providers publish, a campaign shows in cordon campaigns and on the console, and the stop block stops every node and its PostgreSQL', async () => {
    const started = Date.now();
    const { script, stop } = extractWalkthrough(await readFile(join(CHECKOUT, 'README.md'), 'utf8'));
    const picked = new Set<number>();
    const pick = async () => {
      for (;;) {
        const port = await freePort();
        if (!picked.has(port)) return picked.add(port), port;
      }
    };
    const { texts: [runnable, stopping] } = await withFreePorts([script, stop], pick);

    const home = await mkdtemp(join(tmpdir(), 'cordon-readme-'));
    homes.push(home);
    // As root the embedded PostgreSQL runs as cordon-pg, which must enter the node directories (README: Requirements).
    await chmod(home, 0o755);
    const prefix = join(home, 'npm-global');
    execFileSync('npm', ['install', '-g', '.', '--prefix', prefix, '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: CHECKOUT, stdio: 'ignore' });
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
    for (const name of Object.keys(env)) if (name === 'DATABASE_URL' || name.startsWith('CORDON_')) delete env[name];
    await writeFile(join(home, 'walkthrough.sh'), runnable!);
    await writeFile(join(home, 'stop.sh'), stopping!);

    const run = await bash(['-e', '-o', 'pipefail', 'walkthrough.sh'], env, home, WALKTHROUGH_DEADLINE_MS);
    let stopRun: Run | undefined;
    try {
      const output = `exit ${run.code}\n--- stdout\n${run.out}\n--- stderr\n${run.err}\n${await nodeLogs(home)}`;
      expect(run.code, output).toBe(0);

      const campaigns = lastJsonArray(run.out);
      expect(campaigns.length, output).toBeGreaterThan(0);
      expect(campaigns[0]!.provider_count).toBe(2);

      // The console address it printed, with its token, shows the same campaign.
      const address = /^console: (http\S+)$/m.exec(run.out)?.[1];
      expect(address, output).toBeDefined();
      const consoleUrl = new URL(address!);
      // Opening it trades the token for a session cookie (303 to /console/), as a browser would follow.
      const opened = await fetch(consoleUrl, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(new URL('/console/', consoleUrl), { headers: { cookie } })).status).toBe(200);
      const api = await fetch(new URL('/api/campaigns', consoleUrl), { headers: { cookie } });
      expect(api.status).toBe(200);
      const shown = ((await api.json()) as { campaigns: { id: string }[] }).campaigns.map((c) => c.id);
      expect(shown).toEqual(expect.arrayContaining(campaigns.map((c) => c.id)));
    } finally {
      stopRun = await bash(['stop.sh'], env, home, STOP_DEADLINE_MS);
    }
    expect(stopRun.code, `${stopRun.out}\n${stopRun.err}`).toBe(0);

    // Nothing the walkthrough started is left: no node process, no PostgreSQL on any node's data directory.
    const nodes = await nodesUnder(home);
    expect(nodes.map((n) => n.pid !== undefined)).toEqual(nodes.map(() => true));
    await eventually(async () => nodes.every((n) => !alive(n.pid!) && !postgresRunsOn(n.pgData)), STOP_DEADLINE_MS, 'every node and its PostgreSQL to stop');
    console.log(`README walkthrough: ${nodes.length} nodes, ${((Date.now() - started) / 1000).toFixed(1)} s end to end`);
  }, WALKTHROUGH_DEADLINE_MS + 2 * STOP_DEADLINE_MS + 60_000);

  it('no README code block runs `npx cordon`, which can fetch a public package of that name instead of this checkout', async () => {
    const readme = await readFile(join(CHECKOUT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.filter((b) => /\bnpx\s+cordon\b/.test(b))).toEqual([]);
  });

  it('cordon init refuses an --http-listen that is not host:port, as it does --listen, before writing anything', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'cordon-init-http-')), 'c1');
    homes.push(resolve(dir, '..'));
    const r = await cli(['init', '--id', 'c1', '--role', 'consortium', '--dir', dir, '--http-listen', 'localhost']);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe("cordon init: --http-listen 'localhost': must be host:port, not a host alone, e.g. localhost:7400");
    expect(existsSync(dir)).toBe(false);
  });
});
