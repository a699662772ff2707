import { parentPort, workerData } from 'node:worker_threads';
import { CordonError } from '../../../errors.js';
import { BlindingKey } from '../curve/blinding-key.js';
import { blindElementsNow, reblindNow } from './compute.js';
import type { WorkerReply, WorkerTask } from './worker-protocol.js';

/** One worker thread of a WorkerEngine: holds the party's key, does one task at a time. */
const key = BlindingKey.fromSecret((workerData as { secret: string }).secret);
const port = parentPort!;

port.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  try {
    const out =
      task.op === 'blind-elements'
        ? blindElementsNow(key, task.elements, task.dst)
        : reblindNow(key, task.points, task.width, task.where);
    reply = { id: task.id, out };
    port.postMessage(reply, [out.buffer as ArrayBuffer]);
  } catch (err) {
    reply = {
      id: task.id,
      error: err instanceof CordonError ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: (err as Error)?.message ?? String(err) },
    };
    port.postMessage(reply);
  }
});
