import type { NodePartFactory } from './node-part.js';
import { consolePart } from './parts/console.js';
import { alertInboxPart } from './parts/alert-inbox.js';
import { deliveryPart } from './parts/delivery.js';
import { federationPart } from './parts/federation.js';
import { investigationsPart } from './parts/investigations.js';
import { matchingPart } from './parts/matching.js';
import { metricsPart } from './parts/metrics.js';
import { oprfPart } from './parts/oprf.js';
import { psiPart } from './parts/psi.js';
import { replicationPart } from './parts/replication.js';
import { reportInboxPart } from './parts/report-inbox.js';
import { reportLogPart } from './parts/report-log.js';
import { taxiiPart } from './parts/taxii.js';
import { transparencyLogPart } from './parts/transparency-log.js';
import { witnessPart } from './parts/witness.js';

/**
 * Every part a node may run, in start order (a part may use the parts before
 * it). Each factory decides from the node's role whether it runs. To add a
 * capability, add its part here: start-node.ts does not change.
 */
export const NODE_PARTS: readonly NodePartFactory[] = [
  federationPart,
  replicationPart,
  transparencyLogPart,
  witnessPart,
  matchingPart,
  deliveryPart,
  alertInboxPart,
  reportInboxPart,
  reportLogPart,
  taxiiPart,
  oprfPart,
  psiPart,
  investigationsPart,
  // Last: it observes the parts above.
  metricsPart,
  // Reads through the parts above; only on nodes with http_listen.
  consolePart,
];
