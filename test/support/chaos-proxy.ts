import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that misbehaves on command, for putting between nodes.
 *
 * What a network does to packets, TCP turns into what this proxy does to a
 * byte stream: loss and reordering of packets become delay (retransmission),
 * a partition becomes a stall (connections hang, new ones wait for their
 * handshake) and, when it lasts, a broken connection. So:
 *
 * - `delayMs` + `jitterMs`: every chunk waits; order within a connection is
 *   kept (as TCP does), calls on different connections overtake each other.
 * - `cutProbability`: per chunk, the connection is destroyed (a reset).
 * - `duplicateProbability` / `reorderProbability`: per chunk, it is sent
 *   twice, or swapped with the next one — what a broken middlebox does, and
 *   what HTTP/2 framing must detect (the peer then drops the connection).
 * - `partition()`: nothing is forwarded until `heal()`; open connections
 *   stall with their bytes held (as TCP would retransmit them), new
 *   connections are accepted but not forwarded. `heal()` lets everything
 *   through, in order.
 * - `cutAll()`: destroys every open connection now.
 */
export interface ChaosOptions {
  delayMs?: number;
  jitterMs?: number;
  cutProbability?: number;
  duplicateProbability?: number;
  reorderProbability?: number;
}

export interface ChaosProxy {
  readonly port: number;
  set(options: ChaosOptions): void;
  partition(): void;
  heal(): void;
  cutAll(): void;
  readonly stats: { connections: number; chunks: number; cut: number; duplicated: number; reordered: number };
  close(): Promise<void>;
}

/** A one-direction pipe with a queue: chunks leave in order, after their delay, and only while not partitioned. */
class Lane {
  private queue: { data: Buffer; due: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private held: Buffer | undefined;

  constructor(private readonly to: Socket, private readonly proxy: ChaosState, private readonly cut: () => void) {}

  push(data: Buffer): void {
    const o = this.proxy.options;
    this.proxy.stats.chunks++;
    if (Math.random() < (o.cutProbability ?? 0)) {
      this.proxy.stats.cut++;
      this.cut();
      return;
    }
    if (this.held) {
      // The previous chunk was held back to be swapped with this one.
      this.enqueue(data);
      this.enqueue(this.held);
      this.held = undefined;
      return;
    }
    if (Math.random() < (o.reorderProbability ?? 0)) {
      this.proxy.stats.reordered++;
      this.held = data;
      return;
    }
    this.enqueue(data);
    if (Math.random() < (o.duplicateProbability ?? 0)) {
      this.proxy.stats.duplicated++;
      this.enqueue(data);
    }
  }

  private enqueue(data: Buffer): void {
    const o = this.proxy.options;
    const delay = (o.delayMs ?? 0) + Math.random() * (o.jitterMs ?? 0);
    // Never before the chunk ahead of it: order within a connection is kept.
    const last = this.queue.at(-1)?.due ?? 0;
    this.queue.push({ data, due: Math.max(Date.now() + delay, last) });
    this.pump();
  }

  pump(): void {
    if (this.timer) return;
    if (this.proxy.partitioned) return; // heal() pumps again
    while (this.queue.length > 0 && this.queue[0]!.due <= Date.now()) {
      if (this.to.destroyed) return;
      this.to.write(this.queue.shift()!.data);
    }
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(0, this.queue[0]!.due - Date.now()));
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue = [];
  }
}

interface ChaosState {
  options: ChaosOptions;
  partitioned: boolean;
  stats: ChaosProxy['stats'];
}

export async function startChaosProxy(targetPort: number, listenPort = 0, options: ChaosOptions = {}): Promise<ChaosProxy> {
  const state: ChaosState = { options, partitioned: false, stats: { connections: 0, chunks: 0, cut: 0, duplicated: 0, reordered: 0 } };
  const links = new Set<{ lanes: Lane[]; open: () => void; destroy: () => void }>();

  const server: Server = createServer((client) => {
    state.stats.connections++;
    let upstream: Socket | undefined;
    const lanes: Lane[] = [];
    const pending: Buffer[] = [];
    const link = {
      lanes,
      // Connects upstream (at once, or at heal when the connection arrived during a partition).
      open: () => {
        if (upstream || client.destroyed) return;
        upstream = connect(targetPort, '127.0.0.1');
        const toUpstream = new Lane(upstream, state, link.destroy);
        const toClient = new Lane(client, state, link.destroy);
        lanes.push(toUpstream, toClient);
        client.removeAllListeners('data');
        client.on('data', (d: Buffer) => toUpstream.push(d));
        upstream.on('data', (d: Buffer) => toClient.push(d));
        upstream.on('error', link.destroy).on('close', link.destroy);
        for (const d of pending.splice(0)) toUpstream.push(d);
      },
      destroy: () => {
        for (const l of lanes) l.stop();
        client.destroy();
        upstream?.destroy();
        links.delete(link);
      },
    };
    links.add(link);
    client.on('data', (d: Buffer) => pending.push(d));
    client.on('error', link.destroy).on('close', link.destroy);
    if (!state.partitioned) link.open();
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : listenPort,
    stats: state.stats,
    set: (o) => {
      state.options = o;
    },
    partition: () => {
      state.partitioned = true;
    },
    heal: () => {
      state.partitioned = false;
      for (const link of links) {
        link.open();
        for (const lane of link.lanes) lane.pump();
      }
    },
    cutAll: () => {
      for (const link of [...links]) link.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of [...links]) link.destroy();
        server.close(() => resolve());
      }),
  };
}
