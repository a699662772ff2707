import batchAccept from './batch-accept.fuzz.js';
import callToken from './call-token.fuzz.js';
import config from './config.fuzz.js';
import feedback from './feedback.fuzz.js';
import httpRoutes from './http-routes.fuzz.js';
import manifest from './manifest.fuzz.js';
import psi from './psi.fuzz.js';
import readBatch from './read-batch.fuzz.js';
import recordsFile from './records-file.fuzz.js';
import suspects from './suspects.fuzz.js';
import taxiiQuery from './taxii-query.fuzz.js';
import usageLog from './usage-log.fuzz.js';
import type { FuzzTarget } from './harness/target.js';

/** Every fuzz target, in the order `npm run fuzz` runs them. */
export const TARGETS: readonly FuzzTarget[] = [
  batchAccept,
  readBatch,
  callToken,
  manifest,
  feedback,
  config,
  recordsFile,
  suspects,
  usageLog,
  psi,
  taxiiQuery,
  httpRoutes,
];
