import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { ResolvedConfig } from '../../config/schema.js';
import { FederationService } from '../../gen/cordon/v1/federation_pb.js';
import { CordonError, errorMessage } from '../../errors.js';
import { readNodeKey, type NodeKey } from '../../crypto/keys.js';
import { createLogger, type Logger } from '../../log.js';
import { openNodeDatabase, type Database } from '../../store/database.js';
import { CallTokenVerifier } from '../auth/call-token.js';
import { ChainWriter } from '../chain/chain-writer.js';
import { PeerClient } from '../client/peer-client.js';
import type { PipelineDeps } from '../grpc/handlers.js';
import { SERVER_OPTIONS } from '../grpc/options.js';
import { reflectionPackage, serverDefinition } from '../grpc/service-definition.js';
import { Membership } from '../membership/membership.js';
import { deliverTo } from '../provider/deliver.js';
import { AntiEntropy } from '../replication/anti-entropy.js';
import { federationService } from './federation-service.js';
import { consortiumPeers } from './peers.js';

/** How long a graceful stop waits for in-flight calls before cancelling them. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface RunningNode {
  readonly config: ResolvedConfig;
  readonly key: NodeKey;
  readonly membership: Membership;
  readonly db: Database;
  /** host:port the gRPC server is bound to (the real port when configured with :0). */
  readonly address: string;
  readonly chain?: ChainWriter;
  readonly log: Logger;
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

function bind(server: Server, listen: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(listen, ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(new CordonError('UNAVAILABLE', `cannot listen on ${listen}: ${err.message}`)) : resolve(port),
    ),
  );
}

/**
 * Starts a node of any role from its configuration: database (migrated),
 * gRPC server with health and reflection, and the role's background work
 * (replication for consortium and regulator nodes, delivery for providers).
 */
export async function startNode(config: ResolvedConfig, opts: { log?: Logger } = {}): Promise<RunningNode> {
  const log = opts.log ?? createLogger({ node: config.id, role: config.role });
  const startedAt = Date.now();
  const { key, membership } = await loadIdentity(config);
  const db = await openNodeDatabase(config);
  const self = { id: config.id, key: key.privateKey };

  const server = new Server(SERVER_OPTIONS);
  const health = new HealthImplementation({ '': 'SERVING' });
  health.addToServer(server);
  const served = [];
  let chain: ChainWriter | undefined;
  let replication: AntiEntropy | undefined;
  if (config.role === 'consortium' || config.role === 'regulator') {
    chain = new ChainWriter(db.sql, membership);
    const deps: PipelineDeps = {
      nodeRole: config.role,
      tokens: new CallTokenVerifier(config.id, membership),
      onInternalError: (rpc, err) => log.error('internal error', { rpc, error: errorMessage(err), stack: (err as Error)?.stack }),
    };
    server.addService(serverDefinition(FederationService), federationService(deps, { sql: db.sql, chain, membership }));
    served.push(FederationService);
    health.setStatus(FederationService.typeName, 'SERVING');
    replication = new AntiEntropy({
      self, sql: db.sql, membership, chain, log, intervalMs: config.replication_interval_ms,
      peers: () => consortiumPeers(membership, config.id),
    });
    chain.onAccepted((r) => log.debug('batch accepted', { provider: r.verified.batch.providerId, seq: r.seq, records: r.verified.batch.recordCount }));
  }
  new ReflectionService(reflectionPackage(served) as never).addToServer(server);
  const port = await bind(server, config.listen).catch(async (err) => {
    await db.close();
    throw err;
  });
  const host = config.listen.slice(0, config.listen.lastIndexOf(':'));
  const address = `${host}:${port}`;
  replication?.start();

  // Providers deliver their outbox in the background as well as on demand.
  const clients = new Map<string, PeerClient>();
  const targets = () => consortiumPeers(membership, config.id, config.publish_to);
  let delivering: Promise<void> | undefined;
  const flush = async () => {
    if (config.role !== 'provider') return;
    await delivering;
    delivering = (async () => {
      const failures: string[] = [];
      await Promise.all(
        targets().map(async (peer) => {
          let client = clients.get(peer.id);
          if (!client || client.peer.address !== peer.address) clients.set(peer.id, (client = new PeerClient(self, peer)));
          try {
            await deliverTo(db.sql, config.id, client);
          } catch (err) {
            failures.push(errorMessage(err));
          }
        }),
      );
      // The consortium may still be starting; the outbox keeps everything and the next round resends.
      if (failures.length > 0) log[Date.now() - startedAt > 10_000 ? 'warn' : 'debug']('delivery incomplete', { failures });
    })();
    await delivering.finally(() => (delivering = undefined));
  };
  let deliveryTimer: NodeJS.Timeout | undefined;
  if (config.role === 'provider') {
    const loop = () => void flush().finally(() => (deliveryTimer = setTimeout(loop, config.replication_interval_ms)));
    deliveryTimer = setTimeout(loop, 0);
  }

  log.info('node started', { address, manifest_version: membership.version, database: db.embedded ? 'embedded' : 'external' });
  let stopping: Promise<void> | undefined;
  return {
    config, key, membership, db, address, log, flush,
    ...(chain ? { chain } : {}),
    stop: (stopOpts) =>
      (stopping ??= (async () => {
        health.setStatus('', 'NOT_SERVING');
        if (deliveryTimer) clearTimeout(deliveryTimer);
        await replication?.stop();
        await delivering;
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
        await chain?.drain();
        for (const c of clients.values()) c.close();
        await db.close({ stopServer: stopOpts?.stopDatabase ?? true });
        log.info('node stopped');
      })()),
  };
}
