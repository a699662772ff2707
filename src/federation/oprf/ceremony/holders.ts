import { CordonError } from '../../../errors.js';
import type { Membership } from '../../membership/membership.js';
import type { Member } from '../../membership/schema.js';
import { checkHolders } from '../key/oprf-key.js';

/**
 * The members a key is shared among: active consortium members, each with an
 * encryption key (its sub-shares are sealed to it). Throws INVALID_INPUT
 * naming the first holder that does not qualify.
 */
export function holderMembers(membership: Membership, holders: readonly string[], where: string): Member[] {
  checkHolders(holders, where);
  return holders.map((id) => {
    const m = membership.member(id);
    if (!m) throw new CordonError('INVALID_INPUT', `${where}: holder '${id}' is not in the manifest`);
    if (m.role !== 'consortium') throw new CordonError('INVALID_INPUT', `${where}: holder '${id}' is a ${m.role}; only consortium nodes hold key shares`);
    if (m.status !== 'active') throw new CordonError('INVALID_INPUT', `${where}: holder '${id}' is ${m.status}`);
    if (!m.enc_jwk) throw new CordonError('INVALID_INPUT', `${where}: holder '${id}' has no enc_jwk in the manifest, so no share can be sealed to it`);
    return m;
  });
}
