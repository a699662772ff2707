import { BlindingKey } from '../curve/blinding-key.js';
import type { PsiEngine } from './engine.js';
import { InlineEngine } from './inline-engine.js';
import { WorkerEngine } from './worker-engine.js';

/**
 * Points of work below which threads are not worth starting: a worker needs
 * about a second to load its code, the time to blind ~20,000 points inline.
 */
export const THREAD_THRESHOLD_POINTS = 20_000;

/**
 * Works inline until the session has done THREAD_THRESHOLD_POINTS of work,
 * then moves to worker threads (same key): small sessions answer at once,
 * large ones use every core. The work size is not known up front (the
 * initiator learns the peer's size only after hello).
 */
export class AutoEngine implements PsiEngine {
  private readonly inline: InlineEngine;
  private workers: WorkerEngine | undefined;
  private done = 0;

  /** `expectedPoints`, when known, starts the threads at once if the session will need them (their start-up then overlaps the handshake). */
  constructor(
    private readonly key: BlindingKey = BlindingKey.generate(),
    opts: { threads?: number; expectedPoints?: number } = {},
  ) {
    this.threads = opts.threads;
    this.inline = new InlineEngine(key);
    if ((opts.expectedPoints ?? 0) > THREAD_THRESHOLD_POINTS) this.workers = new WorkerEngine(key, this.threads);
  }

  private readonly threads: number | undefined;

  get parallelism(): number {
    return this.workers?.parallelism ?? WorkerEngine.parallelismFor(this.threads);
  }

  private pick(points: number): PsiEngine {
    this.done += points;
    if (!this.workers && this.done > THREAD_THRESHOLD_POINTS) this.workers = new WorkerEngine(this.key, this.threads);
    return this.workers ?? this.inline;
  }

  blindElements(elements: readonly string[], dst: Uint8Array): Promise<Uint8Array> {
    return this.pick(elements.length).blindElements(elements, dst);
  }

  reblind(points: Uint8Array, width: number, where: string): Promise<Uint8Array> {
    return this.pick(points.length / 32).reblind(points, width, where);
  }

  async close(): Promise<void> {
    await this.workers?.close();
  }
}
