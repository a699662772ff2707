import type { CordonErrorCode } from '../../../errors.js';

/** Messages between a WorkerEngine and its threads. */
export type WorkerTask =
  | { id: number; op: 'blind-elements'; elements: readonly string[]; dst: Uint8Array }
  | { id: number; op: 'reblind'; points: Uint8Array; width: number; where: string };

export type WorkerReply = { id: number; out: Uint8Array } | { id: number; error: { code: CordonErrorCode; message: string } };
