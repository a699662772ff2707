import { TRANSPARENCY_LOG_PART, type TransparencyLogPart } from '../federation/node/parts/transparency-log.js';
import type { RunningNode } from '../federation/node/start-node.js';

/**
 * What a consortium node's own transparency log holds, by leaf kind, in the
 * order kinds first appear ("6 batch, 1 case_opened"). Each consortium node
 * keeps its own log: batches reach both through anti-entropy, but an entry
 * about something that happened at one node (a case opened there) is logged
 * only there, so the same filing lands at different leaf indices.
 */
export async function logContents(node: RunningNode, size: number): Promise<string> {
  const log = node.part<TransparencyLogPart>(TRANSPARENCY_LOG_PART)?.log;
  if (!log) return 'no log';
  const kinds = new Map<string, number>();
  for (let i = 0; i < size; i++) {
    const { kind } = await log.entry(i);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
}
