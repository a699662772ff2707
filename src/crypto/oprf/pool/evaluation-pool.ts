import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CordonError } from '../../../errors.js';
import { checkBatch, proofFromComposite } from '../dleq.js';
import type { Element, Scalar } from '../group.js';
import type { Oprf } from '../oprf.js';
import { evaluateSlice } from './slice.js';
import type { SliceRequest, SliceResponse } from './evaluation-worker.js';

/**
 * VOPRF batch evaluation (RFC 9497 BlindEvaluateBatch, with proof) spread
 * over worker threads, one per core: the scalar multiplications of a key node
 * are CPU-bound, and on the event loop they would hold up every other call
 * the node serves. A batch is cut into slices, each worker evaluates its
 * slices and their part of the proof's composite (slice.ts), and the calling
 * thread sums the composites and makes the one proof. Output is identical to
 * Oprf.blindEvaluate on one thread (test/unit/crypto/oprf-pool.test.ts).
 */
export interface BatchEvaluation { readonly evaluatedElements: Element[]; readonly proof: Uint8Array }

/** Below this many elements a slice is not worth a message to a worker. */
const MIN_SLICE = 32;

interface Pending { resolve: (r: SliceResponse) => void; reject: (e: Error) => void }
interface PoolWorker { worker: Worker; pending: Map<number, Pending> }

export class EvaluationPool {
  #nextId = 0;
  #closed = false;
  #workers: PoolWorker[] = [];
  #starting: Promise<void> | undefined;

  /**
   * A pool of `size` workers (default: one per core). Workers start with the
   * first batch big enough to split, so a node that never evaluates much never
   * pays for them.
   */
  constructor(private readonly oprf: Oprf, readonly size = availableParallelism()) {}

  async evaluate(share: Scalar, publicShare: Element, blinded: readonly Element[]): Promise<BatchEvaluation> {
    if (this.#closed) throw new CordonError('UNAVAILABLE', 'the OPRF evaluation pool is closed');
    checkBatch(blinded, blinded);
    const sliceSize = Math.max(MIN_SLICE, Math.ceil(blinded.length / Math.max(1, this.size)));
    const slices = [];
    for (let offset = 0; offset < blinded.length; offset += sliceSize) slices.push({ offset, elements: blinded.slice(offset, offset + sliceSize) });
    let outputs;
    if (slices.length === 1) {
      outputs = [evaluateSlice(this.oprf, { share, publicShare, ...slices[0]! })];
    } else {
      await (this.#starting ??= this.#start());
      outputs = await Promise.all(slices.map((s) => this.#run({ id: this.#nextId++, share, publicShare, ...s })));
    }
    const group = this.oprf.group;
    const composite = outputs.map((o) => o.composite).reduce((a, b) => group.add(a, b));
    return { evaluatedElements: outputs.flatMap((o) => o.evaluated), proof: proofFromComposite(group, this.oprf.suite, share, publicShare, composite) };
  }

  async #start(): Promise<void> {
    this.#workers = await Promise.all(Array.from({ length: Math.max(1, this.size) }, () => spawn()));
    for (const w of this.#workers) this.#watch(w);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => undefined);
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }

  /** Sends a slice to the worker with the fewest slices in flight. */
  async #run(req: SliceRequest) {
    const target = this.#workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const res = await new Promise<SliceResponse>((resolve, reject) => {
      target.pending.set(req.id, { resolve, reject });
      target.worker.postMessage(req);
    });
    if ('error' in res) throw new CordonError('INVALID_INPUT', `OPRF evaluation: ${res.error}`);
    return res.ok;
  }

  /** Routes a worker's answers; a worker that dies fails its slices in flight and is replaced. */
  #watch(w: PoolWorker): void {
    // An uncaught error ends the worker; its 'exit' below settles what it had in flight.
    w.worker.on('error', () => undefined);
    w.worker.on('message', (res: SliceResponse) => {
      const p = w.pending.get(res.id);
      w.pending.delete(res.id);
      p?.resolve(res);
    });
    w.worker.once('exit', (code) => {
      for (const p of w.pending.values()) p.reject(new CordonError('INTERNAL', `OPRF evaluation worker exited (code ${code})`));
      w.pending.clear();
      if (this.#closed) return;
      void spawn().then((fresh) => {
        const i = this.#workers.indexOf(w);
        if (i >= 0 && !this.#closed) {
          this.#workers[i] = fresh;
          this.#watch(fresh);
        } else void fresh.worker.terminate();
      });
    });
  }
}

function spawn(): Promise<PoolWorker> {
  const worker = new Worker(new URL('./evaluation-worker.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => (m === 'ready' ? resolve({ worker, pending: new Map() }) : reject(new CordonError('INTERNAL', 'OPRF evaluation worker: unexpected first message'))));
    worker.once('error', (err) => reject(new CordonError('INTERNAL', `OPRF evaluation worker did not start: ${err.message}`)));
  });
}
