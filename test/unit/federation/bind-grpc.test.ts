import { Server } from '@grpc/grpc-js';
import { createServer, type Server as NetServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bindGrpc } from '../../../src/federation/node/bind-grpc.js';
import { probeListen, GRPC_LISTENER } from '../../../src/federation/node/probe-listen.js';

function occupy(): Promise<{ server: NetServer; address: string }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, address: `127.0.0.1:${(server.address() as { port: number }).port}` }));
  });
}

/** Binding the node's listeners: a taken address is one error line naming it, and grpc-js adds no line of its own (README, Errors). */
describe('binding a node listener', () => {
  const opened: NetServer[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(opened.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('rejects a taken gRPC address with one line naming it and the setting, without grpc-js logging it too', async () => {
    const { server: blocker, address } = await occupy();
    opened.push(blocker);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const server = new Server();
    try {
      await expect(bindGrpc(server, address)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: `cannot listen for gRPC on ${address}: address in use (another process listens there); free it or change listen in cordon.json or CORDON_LISTEN`,
      });
    } finally {
      server.forceShutdown();
    }
    expect(logged).not.toHaveBeenCalled();
  });

  it('probes an address without keeping it: free stays free, taken is refused by the same words', async () => {
    const { server: blocker, address } = await occupy();
    await expect(probeListen(GRPC_LISTENER, address)).rejects.toThrow(`cannot listen for gRPC on ${address}: address in use`);
    await new Promise((r) => blocker.close(r));
    await probeListen(GRPC_LISTENER, address);
    // The probe let go: the real bind gets the port.
    const server = new Server();
    try {
      expect(await bindGrpc(server, address)).toBe(Number(address.split(':')[1]));
    } finally {
      server.forceShutdown();
    }
    await expect(probeListen(GRPC_LISTENER, 'no-such-host.invalid:7400')).rejects.toThrow('cannot listen for gRPC on no-such-host.invalid:7400: the host name does not resolve');
  });
});
