import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../../errors.js';
import { Oprf } from '../oprf.js';
import { OprfMode } from '../suite.js';
import { evaluateSlice, type SliceInput, type SliceOutput } from './slice.js';

/** A worker of the evaluation pool: evaluates slices with its own libsodium instance. */
export type SliceRequest = SliceInput & { readonly id: number };
export type SliceResponse = { readonly id: number } & ({ readonly ok: SliceOutput } | { readonly error: string });

const oprf = await Oprf.load(OprfMode.VOPRF);
const port = parentPort!;
port.on('message', (req: SliceRequest) => {
  let res: SliceResponse;
  try {
    res = { id: req.id, ok: evaluateSlice(oprf, req) };
  } catch (err) {
    res = { id: req.id, error: errorMessage(err) };
  }
  port.postMessage(res);
});
port.postMessage('ready');
