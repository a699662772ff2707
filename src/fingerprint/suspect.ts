import { z } from 'zod';

/**
 * A suspect as the provider's own tooling describes it: raw identifiers and
 * prompts, which stay on the provider node. `cordon detect` writes these (one
 * JSON object per line) and `cordon publish --raw` reads them, normalizes and
 * tokenizes the identifiers and publishes only tokens and signatures.
 */
export const IDENTIFIER_KINDS = ['email', 'phone', 'ip', 'asn', 'payment', 'device', 'org_domain', 'api_key'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

const isoTime = z.string().datetime({ offset: true });

export const SuspectSchema = z
  .object({
    /** The provider's own account (or cluster) id; kept locally, never published. */
    id: z.string().min(1).max(256),
    identifiers: z.partialRecord(z.enum(IDENTIFIER_KINDS), z.array(z.string().max(1024)).max(1000)).default({}),
    /** Sample prompts of the suspect, for template signatures. */
    prompts: z.array(z.string().max(100_000)).max(10_000).default([]),
    /** Reason codes, e.g. `template_reuse`, `cot_elicitation`. */
    labels: z.array(z.string().regex(/^[a-z0-9_.:-]{1,64}$/)).max(64).default([]),
    score: z.number().min(0).max(1),
    first_seen: isoTime,
    last_seen: isoTime,
    expires: isoTime,
    /** Optional: the local cluster this suspect belongs to. */
    cluster: z.string().max(256).optional(),
    /** Optional: human-readable reasons, kept locally. */
    reasons: z.array(z.string().max(1024)).max(64).optional(),
  })
  .strict();

export type Suspect = z.infer<typeof SuspectSchema>;
