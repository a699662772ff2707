import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import type { Role } from '../federation/membership/schema.js';
import { CordonError } from '../errors.js';

/**
 * Lays out a whole federation in one directory with the real CLI commands:
 * `cordon init` per node, `cordon consortium create`, and a signature from
 * each founder. Used by the demo; tests have their own variant with
 * per-node test databases.
 */
export interface NodePlan { id: string; role: Role; org: string; port: number }

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
    await run(['init', '--id', n.id, '--role', n.role, '--org', n.org, '--dir', dirs[n.id]!, '--listen', `127.0.0.1:${n.port}`]);
  }
  const manifest = join(root, 'manifest.json');
  await run(['consortium', 'create', '--name', 'cordon-demo', '--founders', founders.join(','), '--threshold', String(threshold), '--out', manifest,
    ...nodes.flatMap((n) => ['--member', join(dirs[n.id]!, 'member.json')])]);
  for (const f of founders) await run(['consortium', 'sign', '--manifest', manifest, '--node', dirs[f]!]);
  for (const n of nodes) await writeFile(join(dirs[n.id]!, 'manifest.json'), await readFile(manifest));
  return { dirs, manifest };
}
