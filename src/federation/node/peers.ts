import type { Peer } from '../client/peer-client.js';
import type { Membership } from '../membership/membership.js';

/** Active consortium members with a gRPC endpoint, other than `selfId`. */
export function consortiumPeers(membership: Membership, selfId: string, only?: readonly string[]): Peer[] {
  return membership
    .members('consortium')
    .filter((m) => m.id !== selfId && m.endpoints.grpc && (!only || only.includes(m.id)))
    .map((m) => ({ id: m.id, address: m.endpoints.grpc! }));
}
