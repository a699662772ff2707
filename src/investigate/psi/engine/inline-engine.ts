import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { BlindingKey } from '../curve/blinding-key.js';
import { blindElementsNow, reblindNow } from './compute.js';
import type { PsiEngine } from './engine.js';

/**
 * Runs the work on the calling thread, one call at a time, yielding to the
 * event loop before each so the transport keeps flowing. For small sets and
 * tests; large sets use WorkerEngine.
 */
export class InlineEngine implements PsiEngine {
  readonly parallelism = 1;

  constructor(readonly key: BlindingKey = BlindingKey.generate()) {}

  async blindElements(elements: readonly string[], dst: Uint8Array): Promise<Uint8Array> {
    await yieldToLoop();
    return blindElementsNow(this.key, elements, dst);
  }

  async reblind(points: Uint8Array, width: number, where: string): Promise<Uint8Array> {
    await yieldToLoop();
    return reblindNow(this.key, points, width, where);
  }

  async close(): Promise<void> {}
}
