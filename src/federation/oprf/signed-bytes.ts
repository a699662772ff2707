import type { KeyObject } from 'node:crypto';
import { CordonError } from '../../errors.js';
import { parseDetached, signDetached, verifyDetached } from '../../crypto/detached-jws.js';
import type { Membership } from '../membership/membership.js';

/**
 * Signatures over the exact bytes of OPRF key material (key infos, deals):
 * a detached JWS by the node that made them, checked against its key in the
 * manifest. The operator relaying a ceremony, or a network in between, can
 * therefore neither forge nor alter a deal or a node's view of a key.
 */
export const KEY_INFO_TYP = 'cordon-oprf-key';
export const DEAL_TYP = 'cordon-oprf-deal';

export function signBytes(bytes: Uint8Array, key: KeyObject, nodeId: string, typ: string): string {
  return signDetached(bytes, key, nodeId, typ);
}

/** Throws INVALID_SIGNATURE unless `signature` is `signer`'s (an active consortium member) over `bytes`, of type `typ`. */
export function verifySignedBytes(membership: Membership, signer: string, bytes: Uint8Array, signature: string, typ: string, where: string): void {
  const parsed = parseDetached(signature, where, typ);
  if (parsed.header.kid !== signer) throw new CordonError('INVALID_SIGNATURE', `${where}: signed by '${parsed.header.kid}', expected '${signer}'`);
  if (!membership.activeMember(signer, 'consortium')) throw new CordonError('INVALID_SIGNATURE', `${where}: '${signer}' is not an active consortium member`);
  const key = membership.activeKey(signer)!;
  if (!verifyDetached(parsed, bytes, key)) throw new CordonError('INVALID_SIGNATURE', `${where}: signature by '${signer}' does not verify`);
}
