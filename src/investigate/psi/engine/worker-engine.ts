import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CordonError } from '../../../errors.js';
import { BlindingKey } from '../curve/blinding-key.js';
import type { PsiEngine } from './engine.js';
import type { WorkerReply, WorkerTask } from './worker-protocol.js';

const ENTRY = new URL('./worker-entry.js', import.meta.url);

/** Tasks queued per thread before callers wait: keeps every thread busy without buffering whole sets. */
const QUEUE_PER_THREAD = 2;

interface Pending {
  resolve(out: Uint8Array): void;
  reject(err: Error): void;
}

type TaskInput = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'id'> : never) : never;

/**
 * Spreads the work over worker threads, one per core by default: X25519 on
 * node:crypto is synchronous, so threads are the only way to use more than
 * one core. Each thread holds the party's key (passed once at start; it never
 * leaves the process). Tasks go to the least-loaded thread; results come back
 * as transferred buffers.
 */
export class WorkerEngine implements PsiEngine {
  private readonly workers: { worker: Worker; inFlight: Map<number, Pending> }[];
  private nextId = 1;
  private closed = false;
  private failure: Error | undefined;

  /** The parallelism an engine of `threads` threads (default: one per core) offers. */
  static parallelismFor(threads = availableParallelism()): number {
    return Math.max(1, threads) * QUEUE_PER_THREAD;
  }

  constructor(readonly key: BlindingKey = BlindingKey.generate(), threads = availableParallelism()) {
    const secret = key.exportSecret();
    this.workers = Array.from({ length: Math.max(1, threads) }, () => {
      const worker = new Worker(ENTRY, { workerData: { secret } });
      const entry = { worker, inFlight: new Map<number, Pending>() };
      worker.on('message', (reply: WorkerReply) => {
        const pending = entry.inFlight.get(reply.id);
        if (!pending) return;
        entry.inFlight.delete(reply.id);
        if ('out' in reply) pending.resolve(reply.out);
        else pending.reject(new CordonError(reply.error.code, reply.error.message));
      });
      const fail = (err: Error) => {
        this.failure ??= new CordonError('INTERNAL', `PSI worker thread failed: ${err.message}`);
        for (const p of entry.inFlight.values()) p.reject(this.failure);
        entry.inFlight.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!this.closed) fail(new Error(`exited with code ${code}`));
      });
      return entry;
    });
  }

  /** Threads × queue depth: how many tasks a caller should keep in flight to keep every thread busy. */
  get parallelism(): number {
    return this.workers.length * QUEUE_PER_THREAD;
  }

  blindElements(elements: readonly string[], dst: Uint8Array): Promise<Uint8Array> {
    return this.run({ op: 'blind-elements', elements, dst });
  }

  reblind(points: Uint8Array, width: number, where: string): Promise<Uint8Array> {
    return this.run({ op: 'reblind', points, width, where });
  }

  private run(task: TaskInput): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new CordonError('UNAVAILABLE', 'PSI engine is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const target = this.workers.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      target.inFlight.set(id, { resolve, reject });
      target.worker.postMessage({ ...task, id } as WorkerTask);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const gone = new CordonError('UNAVAILABLE', 'PSI engine closed');
    for (const w of this.workers) {
      for (const p of w.inFlight.values()) p.reject(gone);
      w.inFlight.clear();
    }
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
