import type { Sql } from 'postgres';
import { logSize } from '../../audit/log-store.js';
import type { Membership } from '../../federation/membership/membership.js';
import type { Role } from '../../federation/membership/schema.js';

export interface HealthView {
  node: string;
  role: Role;
  org: string;
  parts: string[];
  manifest_version: number;
  consortium: string;
  started_at: string;
  uptime_s: number;
  database: 'embedded' | 'external';
  /** Provider chain heads this node holds (consortium, regulator) or its own (provider). */
  chain_heads: { provider: string; seq: string; updated: string }[];
  log_size?: number;
  members: { id: string; role: string; status: string }[];
}

export async function healthView(env: { sql: Sql; membership: Membership; id: string; role: Role; parts: string[]; startedAt: number; embedded: boolean }): Promise<HealthView> {
  const { sql, membership } = env;
  const heads = env.role === 'provider'
    ? (await sql<{ seq: bigint | null; at: Date | null }[]>`SELECT max(seq) AS seq, max(created_at) AS at FROM outbox`).filter((r) => r.seq !== null).map((r) => ({ provider: env.id, seq: String(r.seq), updated: r.at!.toISOString() }))
    : (await sql<{ provider_id: string; seq: bigint; updated_at: Date }[]>`SELECT provider_id, seq, updated_at FROM chain_heads ORDER BY provider_id`).map((r) => ({ provider: r.provider_id, seq: String(r.seq), updated: r.updated_at.toISOString() }));
  return {
    node: env.id, role: env.role, org: membership.member(env.id)?.organisation ?? '', parts: env.parts,
    manifest_version: membership.version, consortium: membership.manifest.consortium,
    started_at: new Date(env.startedAt).toISOString(), uptime_s: Math.round((Date.now() - env.startedAt) / 1000),
    database: env.embedded ? 'embedded' : 'external', chain_heads: heads,
    ...(env.role === 'consortium' ? { log_size: await logSize(sql, '') } : {}),
    members: membership.members().map((m) => ({ id: m.id, role: m.role, status: m.status })),
  };
}
