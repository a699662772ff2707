import { loadConfig } from '../config/load.js';
import { CONSOLE_PART, type ConsolePart } from '../federation/node/parts/console.js';
import { startNode, type RunningNode } from '../federation/node/start-node.js';
import { createLogger } from '../log.js';
import type { NodePlan } from './federation-setup.js';

/**
 * Starts every node of a laid-out demo federation at once, and names their
 * console logins. Nodes start in parallel (each brings up its own database),
 * so the caller reports them from the returned, id-sorted list: the order it
 * prints does not depend on which node happened to start first.
 */

/** Anti-entropy interval for demo nodes: a node's default is tuned for WAN peers; on loopback the story should not wait on it. */
const DEMO_REPLICATION_INTERVAL_MS = 200;

export interface StartedNode { id: string; role: string; node: RunningNode; grpc: string; console: string }

export interface StartedFederation {
  /** In id order. */
  nodes: StartedNode[];
  node: (id: string) => RunningNode;
  /** Console login URLs (the console's address with `?token=`), by node id. */
  consoles: Record<string, string>;
  stop: () => Promise<void>;
}

/** A console's login URL: opening it in a browser signs in (the console trades the token for a session). */
export function consoleLogin(node: RunningNode): string {
  return `http://${node.httpAddress}/console/?token=${node.part<ConsolePart>(CONSOLE_PART)!.token}`;
}

export async function startFederation(plan: readonly NodePlan[], dirs: Record<string, string>, publishTo: Record<string, string>): Promise<StartedFederation> {
  const running: Record<string, RunningNode> = {};
  const log = createLogger({}, { level: 'error' });
  const stop = async () => {
    await Promise.all(Object.values(running).map((n) => n.stop()));
  };
  try {
    await Promise.all(plan.map(async (p) => {
      const config = await loadConfig(dirs[p.id]!);
      running[p.id] = await startNode({
        ...config, replication_interval_ms: DEMO_REPLICATION_INTERVAL_MS, http_listen: config.http_listen ?? '127.0.0.1:0',
        ...(publishTo[p.id] ? { publish_to: [publishTo[p.id]!] } : {}),
      }, { log: log.child({ node: p.id }) });
    }));
  } catch (err) {
    await stop();
    throw err;
  }
  const nodes = [...plan].sort((a, b) => a.id.localeCompare(b.id)).map((p) => {
    const node = running[p.id]!;
    return { id: p.id, role: p.role, node, grpc: node.address, console: consoleLogin(node) };
  });
  return { nodes, node: (id) => running[id]!, consoles: Object.fromEntries(nodes.map((n) => [n.id, n.console])), stop };
}
