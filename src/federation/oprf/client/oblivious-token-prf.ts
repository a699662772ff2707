import { Oprf } from '../../../crypto/oprf/oprf.js';
import { OprfMode } from '../../../crypto/oprf/suite.js';
import { OprfTokenPrf } from '../../../crypto/prf/oblivious-prf.js';
import type { Identity } from '../../client/peer-client.js';
import type { Membership } from '../../membership/membership.js';
import { ThresholdOprfClient, type ThresholdClientOptions } from './threshold-client.js';

/** A provider's oblivious-mode token PRF over the consortium's key holders, and how to release its connections. */
export async function createObliviousTokenPrf(self: Identity, membership: Membership, options: ThresholdClientOptions = {}): Promise<{ prf: OprfTokenPrf; client: ThresholdOprfClient; close: () => void }> {
  const oprf = await Oprf.load(OprfMode.VOPRF);
  const client = new ThresholdOprfClient(self, membership, oprf, options);
  return { prf: new OprfTokenPrf(oprf, client), client, close: () => client.close() };
}
