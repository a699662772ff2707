import { loadTokenPrf } from '../../crypto/consortium-secret.js';
import { readNodeKey } from '../../crypto/keys.js';
import { createTemplateSigner, type TemplateSigner } from '../../crypto/minhash.js';
import type { TokenPrf } from '../../crypto/prf/token-prf.js';
import type { ResolvedConfig } from '../../config/schema.js';
import type { Membership } from '../membership/membership.js';
import { createObliviousTokenPrf } from '../oprf/client/oblivious-token-prf.js';

/** A provider's keyed fingerprinting for one epoch: the token PRF and the template signer. */
export interface EpochTokenizer {
  epoch: number;
  prf: TokenPrf;
  templateSigner: TemplateSigner;
  /** Releases the PRF's connections to consortium nodes (oblivious mode); a no-op otherwise. */
  close(): void;
}

/**
 * The tokenizer for `epoch` (default: the manifest's current epoch), in the
 * consortium's token mode (policy.token_mode):
 *  - shared-key: tokens and template signatures keyed from the consortium
 *    secret (decrypted with the node's encryption key);
 *  - oblivious: identifier tokens from the consortium nodes' threshold OPRF
 *    (src/federation/oprf); template signatures stay keyed from the secret.
 */
export async function loadTokenizer(config: ResolvedConfig, membership: Membership, epoch?: number): Promise<EpochTokenizer> {
  const shared = await loadTokenPrf(config.dir, { memberId: config.id });
  const e = epoch ?? membership.manifest.policy.token_epoch;
  const templateSigner = createTemplateSigner(shared.templateKey(e));
  if (membership.manifest.policy.token_mode !== 'oblivious') return { epoch: e, prf: shared, templateSigner, close: () => undefined };
  const key = await readNodeKey(config.key_file);
  const oblivious = await createObliviousTokenPrf({ id: config.id, key: key.privateKey }, membership);
  return { epoch: e, prf: oblivious.prf, templateSigner, close: oblivious.close };
}
