import { z } from 'zod';

/** Node ids name members everywhere: in tokens, batches, logs. */
export const NODE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const nodeIdSchema = z.string().regex(NODE_ID, 'must be 1–63 chars of a-z, 0-9 and -, starting with a letter or digit');

export const ROLES = ['provider', 'consortium', 'regulator'] as const;
export type Role = (typeof ROLES)[number];

export const MEMBER_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

const jwkSchema = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict();
/** The member's X25519 key for receiving encrypted material (the consortium secret, case messages). */
const encJwkSchema = z.object({ kty: z.literal('OKP'), crv: z.literal('X25519'), x: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict();

/** host:port of a gRPC or HTTP listener. */
const endpointSchema = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port');

export const memberSchema = z
  .object({
    id: nodeIdSchema,
    organisation: z.string().min(1).max(200),
    role: z.enum(ROLES),
    jwk: jwkSchema,
    enc_jwk: encJwkSchema.optional(),
    endpoints: z.object({ grpc: endpointSchema.optional(), http: endpointSchema.optional() }).strict().default({}),
    status: z.enum(MEMBER_STATUSES).default('active'),
  })
  .strict();
export type Member = z.infer<typeof memberSchema>;

/**
 * Consortium-wide policy. Later capabilities (disclosure, budgets) add keys
 * here; unknown keys are kept so older nodes pass them through unchanged.
 */
export const policySchema = z
  .object({
    /** Whether providers learn the other providers' names in an overlap or only their number. */
    disclosure: z.enum(['names', 'count']).default('count'),
    /** The regulator sees campaigns spanning at least this many providers. */
    regulator_min_providers: z.number().int().min(1).default(2),
    /** The token epoch providers tokenize in now; `cordon rotate` moves a provider's records to it. */
    token_epoch: z.number().int().min(1).max(0xffff_ffff).default(1),
  })
  .passthrough()
  .default({ disclosure: 'count', regulator_min_providers: 2, token_epoch: 1 });

export const manifestSchema = z
  .object({
    consortium: z.string().min(1).max(200),
    /** Strictly increasing; a node adopts only a higher version. */
    version: z.number().int().min(1),
    issued_at: z.string().datetime({ offset: true }),
    /** m: how many founders' signatures make the manifest valid. */
    threshold: z.number().int().min(1),
    /** The n founders; each must be a member. */
    founders: z.array(nodeIdSchema).min(1),
    members: z.array(memberSchema).min(1),
    policy: policySchema,
  })
  .strict()
  .superRefine((m, ctx) => {
    const ids = new Set<string>();
    for (const [i, member] of m.members.entries()) {
      if (ids.has(member.id)) ctx.addIssue({ code: 'custom', path: ['members', i, 'id'], message: `duplicate member id '${member.id}'` });
      ids.add(member.id);
    }
    for (const [i, founder] of m.founders.entries()) {
      if (!ids.has(founder)) ctx.addIssue({ code: 'custom', path: ['founders', i], message: `founder '${founder}' is not a member` });
    }
    if (new Set(m.founders).size !== m.founders.length) ctx.addIssue({ code: 'custom', path: ['founders'], message: 'founders repeat' });
    if (m.threshold > m.founders.length) ctx.addIssue({ code: 'custom', path: ['threshold'], message: `threshold ${m.threshold} exceeds the ${m.founders.length} founders` });
  });
export type Manifest = z.infer<typeof manifestSchema>;
/** A manifest before defaults are applied (what authors write). */
export type ManifestInput = z.input<typeof manifestSchema>;

/** JWS General JSON Serialization, as stored on disk and sent over gRPC. */
export interface GeneralJws {
  payload: string;
  signatures: Array<{ protected: string; signature: string }>;
}
