import { CordonError } from '../../errors.js';
import type { Membership } from '../membership/membership.js';
import type { Member, Role } from '../membership/schema.js';
import { authorize } from './acl.js';

/**
 * Whether a caller admitted earlier (call token verified, ACL consulted)
 * would still be admitted to `rpc` under the manifest trusted now. A stream is
 * admitted once, when it starts; OpenStreams asks this on every manifest
 * change, so that removing, re-keying, suspending or revoking a member, or
 * changing its role, ends the streams it holds open.
 *
 * Answers as admission would: a member gone from the manifest, or whose key
 * changed, could no longer sign a token this node accepts (UNAUTHENTICATED);
 * a suspended or revoked member, or one whose role no longer grants the RPC,
 * is refused (PERMISSION_DENIED). The caller already proved it holds the
 * member's key, so naming its status tells it nothing it may not know.
 * Returns undefined while the caller is still admitted.
 */
export function readmit(membership: Membership, admitted: Member, rpc: string, nodeRole: Role): CordonError | undefined {
  const now = membership.member(admitted.id);
  const why = (code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED', what: string) => new CordonError(code, `${rpc}: stream ended: ${what}`);
  if (!now) return why('UNAUTHENTICATED', `'${admitted.id}' is no longer a member of the consortium`);
  if (now.jwk.x !== admitted.jwk.x) return why('UNAUTHENTICATED', `member '${admitted.id}' has a new key; call again with a token it signs`);
  if (now.status !== 'active') return why('PERMISSION_DENIED', `member '${admitted.id}' is ${now.status}`);
  if (now.role !== admitted.role) return why('PERMISSION_DENIED', `member '${admitted.id}' is now a ${now.role}, admitted as a ${admitted.role}`);
  const decision = authorize(rpc, now.role, nodeRole);
  return decision.allowed ? undefined : why('PERMISSION_DENIED', decision.reason);
}
