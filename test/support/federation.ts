import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/load.js';
import type { NodeConfig } from '../../src/config/schema.js';
import { startNode, type RunningNode } from '../../src/federation/node/start-node.js';
import type { Role } from '../../src/federation/membership/schema.js';
import { silentLogger } from '../../src/log.js';
import { createTestDatabase } from './postgres.js';
import { freePort } from './ports.js';

/**
 * Builds a real federation on loopback for tests: nodes created with the real
 * `cordon init`, a manifest built and signed with the real `cordon consortium`
 * commands, the consortium secret installed on providers and the alert-id key
 * on consortium and regulator nodes, each node on its own database, started in-process or as a child
 * process running `cordon node start` (for kill -9).
 */
export interface NodeSpec { id: string; role: Role }
export interface Federation {
  root: string;
  manifest: string;
  dirs: Record<string, string>;
  ports: Record<string, number>;
  databases: Record<string, string>;
}

export const CLI = resolve('src/cli/bin.js');

export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += l + '\n'), err: (l) => (err += l + '\n'), interactive: false });
  return { code, out, err };
}

export async function createFederation(
  nodes: NodeSpec[],
  opts: { founders?: string[]; threshold?: number; embedded?: string[]; policy?: { disclosure?: string; regulatorMinProviders?: number; extra?: Record<string, unknown> }; advertise?: Record<string, number>; databases?: Record<string, string> } = {},
): Promise<Federation> {
  const root = await mkdtemp(join(tmpdir(), 'cordon-fed-'));
  await chmod(root, 0o755);
  const dirs: Record<string, string> = {};
  const ports: Record<string, number> = {};
  const databases: Record<string, string> = {};
  for (const n of nodes) {
    dirs[n.id] = join(root, n.id);
    ports[n.id] = await freePort();
    const embedded = opts.embedded?.includes(n.id);
    // A database given for a node (e.g. on a server the test restarts) is used as is.
    if (!embedded) databases[n.id] = opts.databases?.[n.id] ?? (await createTestDatabase(n.id));
    const r = await cli(['init', '--id', n.id, '--role', n.role, '--org', `Org ${n.id}`, '--dir', dirs[n.id]!, '--listen', `127.0.0.1:${ports[n.id]}`,
      ...(embedded ? [] : ['--database-url', databases[n.id]!])]);
    if (r.code !== 0) throw new Error(`init ${n.id}: ${r.err}`);
    // Advertise another port in the manifest (e.g. a capturing proxy in front of the node).
    const advertised = opts.advertise?.[n.id];
    if (advertised) {
      const memberFile = join(dirs[n.id]!, 'member.json');
      const member = JSON.parse(await readFile(memberFile, 'utf8'));
      member.endpoints.grpc = `127.0.0.1:${advertised}`;
      await writeFile(memberFile, JSON.stringify(member));
    }
  }
  const manifest = join(root, 'manifest.json');
  const founders = opts.founders ?? nodes.filter((n) => n.role === 'consortium').map((n) => n.id);
  const threshold = opts.threshold ?? founders.length;
  const policyFile = join(root, 'policy.json');
  if (opts.policy?.extra) await writeFile(policyFile, JSON.stringify(opts.policy.extra));
  let r = await cli(['consortium', 'create', '--name', 'test-consortium', '--founders', founders.join(','), '--threshold', String(threshold), '--out', manifest,
    ...(opts.policy?.disclosure ? ['--disclosure', opts.policy.disclosure] : []),
    ...(opts.policy?.regulatorMinProviders ? ['--regulator-min-providers', String(opts.policy.regulatorMinProviders)] : []),
    ...(opts.policy?.extra ? ['--policy', policyFile] : []),
    ...nodes.flatMap((n) => ['--member', join(dirs[n.id]!, 'member.json')])]);
  if (r.code !== 0) throw new Error(`consortium create: ${r.err}`);
  for (const f of founders.slice(0, threshold)) {
    r = await cli(['consortium', 'sign', '--manifest', manifest, '--node', dirs[f]!]);
    if (r.code !== 0) throw new Error(`consortium sign: ${r.err}`);
  }
  for (const n of nodes) await writeFile(join(dirs[n.id]!, 'manifest.json'), await readFile(manifest));
  // Shared-key tokens: every provider receives the consortium secret, encrypted to its key.
  const providers = nodes.filter((n) => n.role === 'provider');
  if (providers.length > 0) {
    const secrets = join(root, 'secrets');
    r = await cli(['consortium', 'issue-secret', '--manifest', manifest, '--out', secrets]);
    if (r.code !== 0) throw new Error(`issue-secret: ${r.err}`);
    for (const p of providers) {
      r = await cli(['secret', 'install', '--node', dirs[p.id]!, join(secrets, `${p.id}.secret.jwe`)]);
      if (r.code !== 0) throw new Error(`secret install ${p.id}: ${r.err}`);
    }
  }
  // Alert ids: every matching node (consortium, regulator) receives the alert-id key; without it none starts.
  const matchers = nodes.filter((n) => n.role === 'consortium' || n.role === 'regulator');
  if (matchers.length > 0) {
    const keys = join(root, 'alert-keys');
    r = await cli(['consortium', 'issue-alert-key', '--manifest', manifest, '--out', keys]);
    if (r.code !== 0) throw new Error(`issue-alert-key: ${r.err}`);
    for (const n of matchers) {
      r = await cli(['alert-key', 'install', '--node', dirs[n.id]!, join(keys, `${n.id}.alert-id-key.jwe`)]);
      if (r.code !== 0) throw new Error(`alert-key install ${n.id}: ${r.err}`);
    }
  }
  return { root, manifest, dirs, ports, databases };
}

export async function startInProcess(fed: Federation, id: string, overrides: Partial<NodeConfig> = {}): Promise<RunningNode> {
  const config = await loadConfig(fed.dirs[id]!);
  return startNode({ ...config, replication_interval_ms: 100, ...overrides }, { log: silentLogger });
}

/** Starts `cordon node start` in a child process; resolves once it listens. */
export async function startChild(fed: Federation, id: string, env: Record<string, string> = {}): Promise<ChildProcess & { logs: string[] }> {
  const child = spawn(process.execPath, [CLI, 'node', 'start', '--node', fed.dirs[id]!], {
    env: { ...process.env, CORDON_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { logs: string[] };
  child.logs = [];
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not start: ${child.logs.join('')}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      child.logs.push(d.toString());
      if (d.toString().includes('listening on')) {
        clearTimeout(timer);
        resolveStart();
      }
    });
    child.stderr!.on('data', (d: Buffer) => child.logs.push(d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${id} exited with ${code}: ${child.logs.join('')}`));
    });
  });
  return child;
}

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
