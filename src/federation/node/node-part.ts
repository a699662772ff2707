import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DescService } from '@bufbuild/protobuf';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ResolvedConfig } from '../../config/schema.js';
import type { NodeKey } from '../../crypto/keys.js';
import type { Logger } from '../../log.js';
import type { Database } from '../../store/database.js';
import type { Identity } from '../client/peer-client.js';
import type { PipelineDeps } from '../grpc/handlers.js';
import type { Membership } from '../membership/membership.js';

/**
 * What every part of a running node may use. Parts are started in the order
 * of NODE_PARTS (parts.ts) and may look up the parts started before them.
 */
export interface NodeContext {
  readonly config: ResolvedConfig;
  readonly key: NodeKey;
  readonly membership: Membership;
  readonly db: Database;
  readonly log: Logger;
  /** This node as a caller of its peers (signs call tokens). */
  readonly self: Identity;
  /** Milliseconds since the epoch when the node began starting. */
  readonly startedAt: number;
  /** The RPC pipeline (auth, ACL, errors) every served RPC goes through. */
  readonly pipeline: PipelineDeps;
  /** Observers (metrics) of every finished RPC, told by the pipeline; returns an unsubscribe. */
  onCallDone(listener: NonNullable<PipelineDeps['onCallDone']>): () => void;
  /** A part started earlier, by name; undefined if absent on this node's role. */
  part<T extends NodePart>(name: string): T | undefined;
  /** Names of the parts built so far, in start order (health views). */
  partNames(): string[];
}

/** An HTTP route handler: returns false when the request is not its route. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

/**
 * One concern of a running node (federation service, replication, delivery,
 * matching, the log…). A part declares the gRPC services and HTTP routes it
 * serves; the node binds them all, then calls `start` on each part in order,
 * and `stop` in reverse order.
 */
export interface NodePart {
  readonly name: string;
  readonly services?: readonly { service: DescService; implementation: UntypedServiceImplementation }[];
  readonly http?: HttpRoute;
  /** Called once the servers are bound. */
  start?(): void | Promise<void>;
  /**
   * Stops background work. Called after the gRPC server has drained, in reverse
   * start order; must not resolve until the part's in-flight writes are durable
   * or abandoned.
   */
  stop?(): Promise<void>;
}

/** Builds a part for this node, or returns undefined when the node's role has no use for it. */
export type NodePartFactory = (ctx: NodeContext) => NodePart | undefined | Promise<NodePart | undefined>;
