import { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { ResolvedConfig } from '../../config/schema.js';
import { CordonError, errorMessage } from '../../errors.js';
import { readNodeKey, type NodeKey } from '../../crypto/keys.js';
import { createLogger, type Logger } from '../../log.js';
import { openNodeDatabase, type Database } from '../../store/database.js';
import { CallTokenVerifier } from '../auth/call-token.js';
import type { ChainWriter } from '../chain/chain-writer.js';
import type { PipelineDeps } from '../grpc/handlers.js';
import { OpenStreams } from '../grpc/open-streams.js';
import { SERVER_OPTIONS } from '../grpc/options.js';
import { reflectionPackage, serverDefinition } from '../grpc/service-definition.js';
import { Membership } from '../membership/membership.js';
import { bindGrpc } from './bind-grpc.js';
import { startHttpServer } from './http-server.js';
import type { NodeContext, NodePart } from './node-part.js';
import { NODE_PARTS } from './parts.js';
import { GRPC_LISTENER, HTTP_LISTENER, probeListen } from './probe-listen.js';
import { DELIVERY_PART, type DeliveryPart } from './parts/delivery.js';
import { FEDERATION_PART, type FederationPart } from './parts/federation.js';

/** How long a graceful stop waits for in-flight calls before cancelling them. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface RunningNode {
  readonly config: ResolvedConfig;
  readonly key: NodeKey;
  readonly membership: Membership;
  readonly db: Database;
  /** host:port the gRPC server is bound to (the real port when configured with :0). */
  readonly address: string;
  /** host:port of the HTTP server, when `http_listen` is configured. */
  readonly httpAddress?: string;
  readonly chain?: ChainWriter;
  readonly log: Logger;
  /** The streams the node is serving, by caller (ended on revocation and at their lifetime). */
  readonly streams: OpenStreams;
  /** A running part by name (see parts.ts), if this node's role runs it. */
  part<T extends NodePart>(name: string): T | undefined;
  /** Provider nodes: deliver the outbox to every consortium node now. */
  flush(): Promise<void>;
  stop(opts?: { stopDatabase?: boolean }): Promise<void>;
}

/** Loads the key and manifest and checks this node is in it, as what it claims to be. */
export async function loadIdentity(config: ResolvedConfig): Promise<{ key: NodeKey; membership: Membership }> {
  const key = await readNodeKey(config.key_file);
  const membership = await Membership.load(config.manifest_file);
  const me = membership.member(config.id);
  if (!me) throw new CordonError('INVALID_CONFIG', `node '${config.id}' is not in the manifest ${config.manifest_file}`);
  if (me.role !== config.role) throw new CordonError('INVALID_CONFIG', `node '${config.id}' is configured as ${config.role} but the manifest lists it as ${me.role}`);
  if (me.jwk.x !== key.publicJwk.x) throw new CordonError('INVALID_CONFIG', `the key in ${config.key_file} is not the key the manifest lists for '${config.id}'`);
  if (me.status !== 'active') throw new CordonError('PERMISSION_DENIED', `node '${config.id}' is ${me.status} in the manifest`);
  return { key, membership };
}

/**
 * Starts a node of any role from its configuration: database (migrated), the
 * role's parts (parts.ts), one gRPC server with health and reflection serving
 * every part's services, and an HTTP server when configured.
 *
 * What can fail without the database is checked before it starts (identity,
 * then both listen addresses: probe-listen.ts), so those failures are quick
 * and start nothing. A failure after it stops everything started so far, the
 * embedded database included when this process started it, before the
 * rejection: a failed start leaves nothing running on the node's directory.
 */
export async function startNode(config: ResolvedConfig, opts: { log?: Logger } = {}): Promise<RunningNode> {
  // Every line a node logs names it as `node` (lines about another node name that one as `peer`).
  const log = opts.log ? opts.log.child({ node: config.id }) : createLogger({ node: config.id, role: config.role });
  const startedAt = Date.now();
  const { key, membership } = await loadIdentity(config);
  await probeListen(GRPC_LISTENER, config.listen);
  if (config.http_listen) await probeListen(HTTP_LISTENER, config.http_listen);
  const callListeners = new Set<NonNullable<PipelineDeps['onCallDone']>>();
  const streams = new OpenStreams({
    membership, nodeRole: config.role, lifetimeMs: config.stream_lifetime_ms,
    onError: (err) => log.error('ending a stream failed', { error: errorMessage(err), stack: (err as Error)?.stack }),
  });
  streams.onEnded((s, why) => {
    if (why.kind === 'refused') log.info('stream ended: caller no longer admitted', { rpc: s.rpc, caller: s.callerId, code: why.error.code, reason: why.error.message });
  });
  const pipeline: PipelineDeps = {
    nodeRole: config.role,
    tokens: new CallTokenVerifier(config.id, membership),
    onInternalError: (rpc, err) => log.error('internal error', { rpc, error: errorMessage(err), stack: (err as Error)?.stack }),
    onCallDone: (rpc, ok, ms) => {
      for (const listener of callListeners) listener(rpc, ok, ms);
    },
    streams,
  };
  const onCallDone: NodeContext['onCallDone'] = (listener) => {
    callListeners.add(listener);
    return () => callListeners.delete(listener);
  };
  const parts = new Map<string, NodePart>();
  const part = <T extends NodePart>(name: string) => parts.get(name) as T | undefined;
  const server = new Server(SERVER_OPTIONS);
  const health = new HealthImplementation({ '': 'SERVING' });
  let http: Awaited<ReturnType<typeof startHttpServer>> | undefined;

  let db: Database;
  try {
    db = await openNodeDatabase(config);
  } catch (err) {
    streams.close();
    throw err;
  }
  const ctx: NodeContext = { config, key, membership, db, log, self: { id: config.id, key: key.privateKey }, startedAt, pipeline, onCallDone, part, partNames: () => [...parts.keys()] };
  try {
    for (const factory of NODE_PARTS) {
      const p = await factory(ctx);
      if (p) parts.set(p.name, p);
    }
    health.addToServer(server);
    const served = [];
    for (const p of parts.values()) {
      for (const { service, implementation } of p.services ?? []) {
        server.addService(serverDefinition(service), implementation);
        health.setStatus(service.typeName, 'SERVING');
        served.push(service);
      }
    }
    // Reflection and health answer without a call token: orchestrators' probes and
    // grpcurl cannot mint one, and both tell only which services this node serves
    // (its role, which the manifest publishes) and whether it is up. Reflection
    // lists exactly the served services, not every service in their proto files.
    new ReflectionService(reflectionPackage(served) as never, { services: served.map((s) => s.typeName) }).addToServer(server);
    const port = await bindGrpc(server, config.listen);
    const routes = [...parts.values()].flatMap((p) => (p.http ? [p.http] : []));
    if (config.http_listen) http = await startHttpServer(config.http_listen, routes, log);
    for (const p of parts.values()) await p.start?.();
    const host = config.listen.slice(0, config.listen.lastIndexOf(':'));
    const address = `${host}:${port}`;
    log.info('node started', { address, ...(http ? { http: http.address } : {}), parts: [...parts.keys()], manifest_version: membership.version, database: db.embedded ? 'embedded' : 'external' });

    let stopping: Promise<void> | undefined;
    const delivery = part<DeliveryPart>(DELIVERY_PART);
    const chain = part<FederationPart>(FEDERATION_PART)?.chain;
    return {
      config, key, membership, db, address, log, part, streams,
      ...(http ? { httpAddress: http.address } : {}),
      ...(chain ? { chain } : {}),
      flush: () => delivery?.flush() ?? Promise.resolve(),
      stop: (stopOpts) =>
        (stopping ??= (async () => {
          health.setStatus('', 'NOT_SERVING');
          await http?.close();
          // Finish calls in flight (their commits included), then cut what is left.
          await new Promise<void>((resolve) => {
            const force = setTimeout(() => {
              server.forceShutdown();
              resolve();
            }, SHUTDOWN_GRACE_MS);
            server.tryShutdown(() => {
              clearTimeout(force);
              resolve();
            });
          });
          streams.close();
          for (const p of [...parts.values()].reverse()) {
            await p.stop?.().catch((err: unknown) => log.error('part did not stop cleanly', { part: p.name, error: errorMessage(err) }));
          }
          await db.close({ stopServer: stopOpts?.stopDatabase ?? true });
          log.info('node stopped');
        })()),
    };
  } catch (err) {
    streams.close();
    server.forceShutdown();
    await http?.close();
    for (const p of [...parts.values()].reverse()) await p.stop?.().catch(() => undefined);
    await db.close({ stopServer: true }).catch((closeErr: unknown) => log.error('database did not close after a failed start', { error: errorMessage(closeErr) }));
    throw err;
  }
}
