import type { PsiEngine } from '../engine/engine.js';
import type { ElementSet } from '../set/element-set.js';
import { POINT_BYTES } from '../curve/points.js';
import { CHUNK_POINTS } from './limits.js';
import { OrderedWork } from './ordered-work.js';

/**
 * Streams a party's own list: its elements, in the order `order` gives
 * (a fresh random permutation), hashed to the curve and blinded chunk by
 * chunk, each chunk sent as soon as it and those before it are done. Resolves
 * when the last chunk is sent.
 */
export async function streamOwnList(
  set: ElementSet,
  order: Uint32Array,
  dst: Uint8Array,
  engine: PsiEngine,
  send: (points: Uint8Array) => Promise<void>,
  onSent: (sent: number) => void = () => undefined,
): Promise<void> {
  let sent = 0;
  const work = new OrderedWork<Uint8Array>(engine.parallelism + 1, async (points) => {
    await send(points);
    sent += points.length / POINT_BYTES;
    onSent(sent);
  });
  for (let k = 0; k < order.length; k += CHUNK_POINTS) {
    const elements = Array.from(order.subarray(k, k + CHUNK_POINTS), (i) => set.elements[i]!);
    await work.submit(() => engine.blindElements(elements, dst));
  }
  await work.drain();
}

/** Sends stored values in chunks of CHUNK_POINTS values. */
export async function streamValues(rows: Uint8Array, width: number, send: (values: Uint8Array) => Promise<void>): Promise<void> {
  const step = CHUNK_POINTS * width;
  for (let off = 0; off < rows.length; off += step) await send(rows.subarray(off, Math.min(rows.length, off + step)));
}
