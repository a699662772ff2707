import type { Role } from '../membership/schema.js';

/**
 * Who may call what: the one place that decides, per RPC, which caller roles
 * are allowed, and whether the RPC writes. A node whose own role is
 * `regulator` refuses every write, whoever calls.
 *
 * `ownOnly` roles may call the RPC only about themselves (a provider reads
 * its own chain head, never another provider's).
 */
export interface AclEntry {
  readonly write: boolean;
  readonly roles: readonly Role[];
  readonly ownOnly?: readonly Role[];
}

export const ACL: Readonly<Record<string, AclEntry>> = {
  'cordon.v1.FederationService/Publish': { write: true, roles: ['provider', 'consortium'], ownOnly: ['provider'] },
  'cordon.v1.FederationService/UpdateManifest': { write: true, roles: ['provider', 'consortium'] },
  'cordon.v1.FederationService/GetHeads': { write: false, roles: ['provider', 'consortium', 'regulator'], ownOnly: ['provider'] },
  'cordon.v1.FederationService/FetchBatches': { write: false, roles: ['provider', 'consortium', 'regulator'], ownOnly: ['provider'] },
  'cordon.v1.FederationService/GetManifest': { write: false, roles: ['provider', 'consortium', 'regulator'] },
  'cordon.v1.FederationService/ListEquivocations': { write: false, roles: ['consortium', 'regulator'] },
};

export type AclDecision = { allowed: true; ownOnly: boolean } | { allowed: false; reason: string };

export function authorize(rpc: string, callerRole: Role, nodeRole: Role): AclDecision {
  const entry = ACL[rpc];
  if (!entry) return { allowed: false, reason: `${rpc} is not in the ACL` };
  if (entry.write && nodeRole === 'regulator') return { allowed: false, reason: `${rpc} writes, and this regulator node is read-only` };
  if (!entry.roles.includes(callerRole)) return { allowed: false, reason: `role ${callerRole} may not call ${rpc}` };
  return { allowed: true, ownOnly: entry.ownOnly?.includes(callerRole) ?? false };
}
