import { loadTokenPrf } from '../../crypto/consortium-secret.js';
import { createTemplateSigner, type TemplateSigner } from '../../crypto/minhash.js';
import type { SharedKeyPrf } from '../../crypto/prf/shared-key-prf.js';
import type { ResolvedConfig } from '../../config/schema.js';
import type { Membership } from '../membership/membership.js';

/** A provider's keyed fingerprinting for one epoch: the token PRF and the template signer. */
export interface EpochTokenizer { epoch: number; prf: SharedKeyPrf; templateSigner: TemplateSigner }

/** Loads the consortium secret (decrypting it with the node's key) for `epoch` (default: the manifest's current epoch). */
export async function loadTokenizer(config: ResolvedConfig, membership: Membership, epoch?: number): Promise<EpochTokenizer> {
  const prf = await loadTokenPrf(config.dir, { memberId: config.id });
  const e = epoch ?? membership.manifest.policy.token_epoch;
  return { epoch: e, prf, templateSigner: createTemplateSigner(prf.templateKey(e)) };
}
