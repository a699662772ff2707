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

/** Token kinds, by name, as the manifest spells them (codes: cordon.v1.TokenKind). */
export const TOKEN_KIND_NAMES = ['email', 'phone', 'ip', 'ip_prefix', 'asn', 'payment', 'device', 'org_domain', 'api_key'] as const;

/**
 * Kinds that link records by default. An ASN is shared by every customer of
 * a network, so it is evidence, never a link on its own.
 */
export const DEFAULT_LINK_KINDS = TOKEN_KIND_NAMES.filter((k) => k !== 'asn');

/**
 * A token linking more records than this is implausible for one campaign (a
 * shared corporate egress, a cloud NAT range, a test account): it is
 * quarantined and links nothing. 64 is well above the largest planted
 * campaigns (tens of accounts share a payment instrument) and far below a NAT.
 */
export const DEFAULT_QUARANTINE_RECORDS = 64;

/** Matching rules (DESIGN.md §5), consortium-wide so every node matches alike. */
export const matchPolicySchema = z
  .object({
    /** Token kinds whose equality links two records. */
    link_kinds: z.array(z.enum(TOKEN_KIND_NAMES)).default([...DEFAULT_LINK_KINDS]),
    /** Quarantine a token once it links more than this many records. */
    quarantine_records: z.number().int().min(2).max(1_000_000).default(DEFAULT_QUARANTINE_RECORDS),
    /** Tokens that must never match (shared egress, NAT ranges, test accounts), per epoch. */
    never_match: z
      .array(
        z.object({
          epoch: z.number().int().min(1).max(0xffff_ffff),
          kind: z.enum(TOKEN_KIND_NAMES),
          token: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (a 32-byte token)'),
          reason: z.string().min(1).max(500),
        }).strict(),
      )
      .max(100_000)
      .default([]),
  })
  .strict();
export type MatchPolicy = z.infer<typeof matchPolicySchema>;

export const TOKEN_MODES = ['shared-key', 'oblivious'] as const;

/**
 * Default daily OPRF budget per provider and node: room for a provider to
 * re-tokenize ~100,000 active records of ~8 identifiers each at an epoch
 * rotation in one day, while capping a dictionary attack through one
 * provider's credentials at a million guesses a day (each logged).
 */
export const DEFAULT_OPRF_EVALUATIONS_PER_DAY = 1_000_000;

/**
 * Investigation budget (DESIGN §6). A case carries a handful of tokens from
 * an alert or a local cluster; 1,000 tokens a day covers dozens of cases by
 * a busy analyst team while capping a fishing expedition at 1,000 guesses a
 * day per provider, each logged.
 */
export const DEFAULT_QUERY_TOKENS_PER_DAY = 1_000;
/** Below 20 queries a miss ratio is noise (a new member's first few cases may all miss). */
export const DEFAULT_PROBING_MIN_QUERIES = 20;
/** Cases start from alerts, i.e. from overlaps, so honest queries mostly hit; 80% misses is guessing. */
export const DEFAULT_PROBING_MISS_RATIO = 0.8;
/** A week of queries: long enough to catch slow probing, short enough that a flag can clear. */
export const DEFAULT_PROBING_WINDOW_DAYS = 7;

export const investigationPolicySchema = z
  .object({
    /** Tokens (a template signature counts as one) each provider may query per UTC day at each consortium node (beyond: RESOURCE_EXHAUSTED). */
    query_tokens_per_day: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(DEFAULT_QUERY_TOKENS_PER_DAY),
    /** A provider is flagged as probing after at least this many queries in the window… */
    probing_min_queries: z.number().int().min(1).default(DEFAULT_PROBING_MIN_QUERIES),
    /** …of which at least this share matched no other provider's records. */
    probing_miss_ratio: z.number().min(0).max(1).default(DEFAULT_PROBING_MISS_RATIO),
    probing_window_days: z.number().int().min(1).max(366).default(DEFAULT_PROBING_WINDOW_DAYS),
  })
  .strict();
export type InvestigationPolicy = z.infer<typeof investigationPolicySchema>;

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
    match: matchPolicySchema.default(() => matchPolicySchema.parse({})),
    /** How providers compute identifier tokens (DESIGN §4): HMAC under the consortium secret, or the consortium nodes' threshold OPRF. */
    token_mode: z.enum(TOKEN_MODES).default('shared-key'),
    /** Oblivious mode: OPRF evaluations each provider may ask of each consortium node per UTC day (beyond: RESOURCE_EXHAUSTED). */
    oprf_evaluations_per_day: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(DEFAULT_OPRF_EVALUATIONS_PER_DAY),
    /** Investigations: query budget and probing detection. */
    investigation: investigationPolicySchema.default(() => investigationPolicySchema.parse({})),
  })
  .passthrough()
  .default(() => ({ disclosure: 'count' as const, regulator_min_providers: 2, token_epoch: 1, match: matchPolicySchema.parse({}), token_mode: 'shared-key' as const, oprf_evaluations_per_day: DEFAULT_OPRF_EVALUATIONS_PER_DAY, investigation: investigationPolicySchema.parse({}) }));

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
