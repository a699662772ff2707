import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that records every byte in both directions: tests put
 * it between gRPC peers to check what actually crosses the wire.
 */
export interface CaptureProxy {
  readonly port: number;
  /** Everything seen so far, both directions, concatenated. */
  bytes(): Buffer;
  close(): Promise<void>;
}

export async function startCaptureProxy(targetPort: number, listenPort = 0): Promise<CaptureProxy> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
    upstream.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : listenPort,
    bytes: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
