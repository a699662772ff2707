import { generateNodeKey, type NodeKey } from '../../../src/crypto/keys.js';
import { addSignature, unsignedManifest } from '../../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../../src/federation/membership/membership.js';
import type { GeneralJws, ManifestInput } from '../../../src/federation/membership/schema.js';

/**
 * A small consortium for fuzz targets: two consortium founders (threshold 2),
 * an active provider, a revoked provider, a suspended one and a regulator,
 * so that hostile input can name every kind of member.
 */
export const MEMBERS = [
  { id: 'c1', role: 'consortium', status: 'active' },
  { id: 'c2', role: 'consortium', status: 'active' },
  { id: 'p1', role: 'provider', status: 'active' },
  { id: 'p2', role: 'provider', status: 'revoked' },
  { id: 'p3', role: 'provider', status: 'suspended' },
  { id: 'r1', role: 'regulator', status: 'active' },
] as const;

export type MemberId = (typeof MEMBERS)[number]['id'];

export interface FuzzConsortium {
  keys: Record<MemberId, NodeKey>;
  manifest(version: number, change?: Partial<ManifestInput>): ManifestInput;
  /** The manifest document at `version`, signed by `signers` (default: both founders). */
  document(version: number, signers?: readonly MemberId[], change?: Partial<ManifestInput>): GeneralJws;
  membership(): Membership;
}

export function fuzzConsortium(): FuzzConsortium {
  const keys = Object.fromEntries(MEMBERS.map((m) => [m.id, generateNodeKey().key])) as Record<MemberId, NodeKey>;
  const manifest = (version: number, change: Partial<ManifestInput> = {}): ManifestInput => ({
    consortium: 'fuzz', version, issued_at: '2026-11-27T00:00:00Z', threshold: 2, founders: ['c1', 'c2'],
    members: MEMBERS.map((m) => ({ id: m.id, organisation: `org ${m.id}`, role: m.role, jwk: keys[m.id].publicJwk, endpoints: { grpc: '127.0.0.1:1' }, status: m.status })),
    ...change,
  });
  const document = (version: number, signers: readonly MemberId[] = ['c1', 'c2'], change: Partial<ManifestInput> = {}) =>
    signers.reduce((doc, id) => addSignature(doc, id, keys[id].privateKey), unsignedManifest(manifest(version, change)));
  return { keys, manifest, document, membership: () => Membership.fromDocument(document(1)) };
}
