import type { NodePartFactory } from './node-part.js';
import { deliveryPart } from './parts/delivery.js';
import { federationPart } from './parts/federation.js';
import { replicationPart } from './parts/replication.js';

/**
 * Every part a node may run, in start order (a part may use the parts before
 * it). Each factory decides from the node's role whether it runs. To add a
 * capability, add its part here: start-node.ts does not change.
 */
export const NODE_PARTS: readonly NodePartFactory[] = [
  federationPart,
  replicationPart,
  deliveryPart,
];
