import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import type { Role } from '../federation/membership/schema.js';
import { CordonError } from '../errors.js';

/**
 * Lays out a whole federation in one directory with the real CLI commands:
 * `cordon init` per node, `cordon consortium create`, a signature from each
 * founder, the consortium secret issued to every provider and the alert-id
 * key to every consortium and regulator node. Used by the demo; tests have
 * their own variant with per-node test databases.
 */
export interface NodePlan { id: string; role: Role; org: string; port: number; /** An existing PostgreSQL database instead of the node's own embedded server. */ databaseUrl?: string }

async function run(args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => (out += l + '\n'), err: (l) => (err += l + '\n'), interactive: false });
  if (code !== 0) throw new CordonError('INTERNAL', `cordon ${args.join(' ')}: ${err.trim()}`);
  return out;
}

export async function layOutFederation(root: string, nodes: NodePlan[], founders: string[], threshold: number): Promise<{ dirs: Record<string, string>; manifest: string }> {
  await mkdir(root, { recursive: true });
  await chmod(root, 0o755);
  const dirs: Record<string, string> = {};
  for (const n of nodes) {
    dirs[n.id] = join(root, n.id);
    await run(['init', '--id', n.id, '--role', n.role, '--org', n.org, '--dir', dirs[n.id]!, '--listen', `127.0.0.1:${n.port}`, ...(n.databaseUrl ? ['--database-url', n.databaseUrl] : [])]);
  }
  const manifest = join(root, 'manifest.json');
  await run(['consortium', 'create', '--name', 'cordon-demo', '--founders', founders.join(','), '--threshold', String(threshold), '--out', manifest,
    ...nodes.flatMap((n) => ['--member', join(dirs[n.id]!, 'member.json')])]);
  for (const f of founders) await run(['consortium', 'sign', '--manifest', manifest, '--node', dirs[f]!]);
  for (const n of nodes) await writeFile(join(dirs[n.id]!, 'manifest.json'), await readFile(manifest));
  // Shared-key tokens: every provider receives the consortium secret, encrypted to its key.
  const providers = nodes.filter((n) => n.role === 'provider');
  if (providers.length > 0) {
    const secrets = join(root, 'secrets');
    await run(['consortium', 'issue-secret', '--manifest', manifest, '--out', secrets]);
    for (const p of providers) await run(['secret', 'install', '--node', dirs[p.id]!, join(secrets, `${p.id}.secret.jwe`)]);
  }
  // Alert ids: every matching node (consortium, regulator) receives the alert-id key, encrypted to its key.
  const matchers = nodes.filter((n) => n.role === 'consortium' || n.role === 'regulator');
  if (matchers.length > 0) {
    const keys = join(root, 'alert-keys');
    await run(['consortium', 'issue-alert-key', '--manifest', manifest, '--out', keys]);
    for (const n of matchers) await run(['alert-key', 'install', '--node', dirs[n.id]!, join(keys, `${n.id}.alert-id-key.jwe`)]);
  }
  return { dirs, manifest };
}
