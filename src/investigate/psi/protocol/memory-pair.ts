import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  IntersectRequestSchema,
  IntersectResponseSchema,
  type IntersectRequest,
  type IntersectResponse,
} from '../../../gen/cordon/v1/psi_pb.js';
import { CordonError } from '../../../errors.js';
import type { Conversation } from './conversation.js';

/**
 * Two ends of an in-process PSI stream, for running both roles in one
 * process (tests, local runs). Every message is serialized and parsed as on
 * the wire, and may pass a tap on its way: the tap sees the bytes' decoded
 * message and returns what to deliver instead (the same, a changed one,
 * several, or none).
 */
export interface Taps {
  toResponder?: (msg: IntersectRequest) => IntersectRequest[];
  toInitiator?: (msg: IntersectResponse) => IntersectResponse[];
}

class Mailbox<T> {
  private readonly queue: T[] = [];
  private waiting: { resolve: (v: T | undefined) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  private failure: Error | undefined;

  put(msg: T): void {
    if (this.ended || this.failure) return;
    if (this.waiting) {
      this.waiting.resolve(msg);
      this.waiting = undefined;
    } else this.queue.push(msg);
  }

  end(): void {
    this.ended = true;
    if (this.queue.length === 0 && this.waiting) {
      this.waiting.resolve(undefined);
      this.waiting = undefined;
    }
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.queue.length = 0;
    this.waiting?.reject(err);
    this.waiting = undefined;
  }

  take(): Promise<T | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}

export function memoryPair(taps: Taps = {}): {
  initiator: Conversation<IntersectResponse, IntersectRequest>;
  responder: Conversation<IntersectRequest, IntersectResponse>;
} {
  const toResponder = new Mailbox<IntersectRequest>();
  const toInitiator = new Mailbox<IntersectResponse>();
  const abortBoth = (who: string, err: Error) => {
    const seen = new CordonError('UNAVAILABLE', `${who} aborted the stream: ${err.message}`);
    toResponder.fail(seen);
    toInitiator.fail(seen);
  };
  return {
    initiator: {
      receive: () => toInitiator.take(),
      send: async (msg) => {
        const wire = fromBinary(IntersectRequestSchema, toBinary(IntersectRequestSchema, msg));
        for (const m of taps.toResponder ? taps.toResponder(wire) : [wire]) toResponder.put(m);
      },
      end: () => toResponder.end(),
      abort: (err) => abortBoth('the initiator', err),
    },
    responder: {
      receive: () => toResponder.take(),
      send: async (msg) => {
        const wire = fromBinary(IntersectResponseSchema, toBinary(IntersectResponseSchema, msg));
        for (const m of taps.toInitiator ? taps.toInitiator(wire) : [wire]) toInitiator.put(m);
      },
      end: () => toInitiator.end(),
      abort: (err) => abortBoth('the responder', err),
    },
  };
}
