import { join } from 'node:path';
import { TransparencyLog } from '../../../audit/transparency-log.js';
import { ENC_KEY_FILE, readEncryptionKey } from '../../../crypto/encryption-key.js';
import { Oprf } from '../../../crypto/oprf/oprf.js';
import { EvaluationPool } from '../../../crypto/oprf/pool/evaluation-pool.js';
import { OprfMode } from '../../../crypto/oprf/suite.js';
import { OprfService } from '../../../gen/cordon/v1/oprf_pb.js';
import { KeyRing } from '../../oprf/key/key-ring.js';
import { oprfService } from '../../oprf/service.js';
import type { NodePart, NodePartFactory } from '../node-part.js';

export const OPRF_PART = 'oprf';

/**
 * Consortium nodes: hold shares of each epoch's OPRF key and evaluate
 * providers' blinded elements with them (oblivious token mode, DESIGN §4).
 * The node's X25519 encryption key opens the sub-shares dealt to it and
 * seals its own shares at rest; batches are evaluated on worker threads
 * (one per core), so evaluation never holds up the node's other calls.
 */
export interface OprfPart extends NodePart {
  readonly keyRing: KeyRing;
}

export const oprfPart: NodePartFactory = async (ctx): Promise<OprfPart | undefined> => {
  if (ctx.config.role !== 'consortium') return undefined;
  const oprf = await Oprf.load(OprfMode.VOPRF);
  const encKey = await readEncryptionKey(join(ctx.config.dir, ENC_KEY_FILE));
  const self = { id: ctx.config.id, key: ctx.key.privateKey };
  const keyRing = new KeyRing(ctx.db.sql, oprf.group, self.id, encKey);
  const pool = new EvaluationPool(oprf);
  const implementation = oprfService(ctx.pipeline, {
    sql: ctx.db.sql, membership: ctx.membership, self, encKey, oprf, pool, keyRing, log: new TransparencyLog(ctx.db.sql),
  });
  return { name: OPRF_PART, keyRing, services: [{ service: OprfService, implementation }], stop: () => pool.close() };
};
