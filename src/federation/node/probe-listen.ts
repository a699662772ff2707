import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';
import { CordonError } from '../../errors.js';

/** What a listener is for, and the configuration field (and its environment variable) that sets its address. */
export interface ListenerKind {
  readonly what: 'gRPC' | 'HTTP';
  readonly field: string;
}

export const GRPC_LISTENER: ListenerKind = { what: 'gRPC', field: 'listen in cordon.json or CORDON_LISTEN' };
export const HTTP_LISTENER: ListenerKind = { what: 'HTTP', field: 'http_listen in cordon.json or CORDON_HTTP_LISTEN' };

/** Why a bind failed, in words an operator acts on, by the system's error code. */
const BIND_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address in use (another process listens there)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'not an address of this machine',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS did not answer)',
};

/** The one-line error of a listener that cannot be bound: the address, the reason, and the field to change. */
export function listenError(kind: ListenerKind, listen: string, code: string | undefined, detail: string): CordonError {
  const problem = (code && BIND_PROBLEMS[code]) ?? detail.split('\n')[0];
  return new CordonError('UNAVAILABLE', `cannot listen for ${kind.what} on ${listen}: ${problem}; free it or change ${kind.field}`);
}

/** host and port of a validated `host:port` (config/schema.ts), brackets of an IPv6 host removed. */
export function splitListen(listen: string): { host: string; port: number } {
  const sep = listen.lastIndexOf(':');
  return { host: listen.slice(0, sep).replace(/^\[|\]$/g, ''), port: Number(listen.slice(sep + 1)) };
}

function tryBind(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    // exclusive: a cluster worker must not be handed the primary's socket; the probe must bind for real.
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks that `listen` can be bound now, by binding each address its host
 * resolves to and letting go; resolves when at least one binds (as grpc-js,
 * which serves on every address that binds), else throws listenError.
 *
 * `cordon node start` probes its gRPC and HTTP addresses before it starts the
 * database, so a taken or unusable address fails in milliseconds and leaves
 * nothing running (an embedded database takes seconds to start). A probe,
 * not the real bind: grpc-js serves from the moment it binds, and the node's
 * services exist only once its parts have started on the database; a peer
 * calling in between would be answered UNIMPLEMENTED instead of being refused
 * a connection, which it retries. A process taking the address between probe
 * and bind still fails the start, which then stops all it started.
 */
export async function probeListen(kind: ListenerKind, listen: string): Promise<void> {
  const { host, port } = splitListen(listen);
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map((a) => a.address);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw listenError(kind, listen, e.code, e.message);
  }
  let first: NodeJS.ErrnoException | undefined;
  for (const address of addresses) {
    const err = await tryBind(address, port);
    if (!err) return;
    first ??= err;
  }
  throw listenError(kind, listen, first?.code, first?.message ?? 'no address to bind');
}
