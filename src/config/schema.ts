import { z } from 'zod';
import { STREAM_LIFETIME_MS } from '../federation/grpc/options.js';
import { nodeIdSchema, ROLES } from '../federation/membership/schema.js';
import { listenProblem } from './listen.js';

const listenSchema = z.string().superRefine((value, ctx) => {
  const problem = listenProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A node's configuration file (cordon.json in the node's directory). Relative
 * paths are resolved against the file's own directory. Environment variables
 * override single keys (see load.ts).
 */
export const configSchema = z
  .object({
    id: nodeIdSchema,
    role: z.enum(ROLES),
    organisation: z.string().min(1).max(200),
    /** The node's private Ed25519 JWK (0600). */
    key_file: z.string().min(1).default('key.jwk'),
    /** The membership manifest the node trusts; updates are written back here. */
    manifest_file: z.string().min(1).default('manifest.json'),
    /** Where the embedded PostgreSQL and other state live. */
    data_dir: z.string().min(1).default('data'),
    /** gRPC listen address. */
    listen: listenSchema.default('127.0.0.1:7400'),
    /** HTTP listen address (console, metrics, TAXII); without it the node serves no HTTP. */
    http_listen: listenSchema.optional(),
    /** Clients reach http_listen through a TLS-terminating proxy: the console's session cookie is marked Secure. */
    http_behind_tls: z.boolean().optional(),
    /** PostgreSQL URL; without it the node runs an embedded server in data_dir. */
    database_url: z.string().url('must be a URL, e.g. postgres://cordon:PASSWORD@db.example:5432/cordon').optional(),
    /** Consortium nodes a provider publishes to (default: every active consortium member). */
    publish_to: z.array(nodeIdSchema).optional(),
    /** How often consortium and regulator nodes pull from their peers, in ms. */
    replication_interval_ms: z.number().int().min(50).max(600_000).default(500),
    /**
     * How long the node keeps any one stream open before its caller must call
     * again with a fresh token (grpc/options.ts STREAM_LIFETIME_MS); at most an
     * hour, or a revoked member's stream could outlive a missed event by that.
     */
    stream_lifetime_ms: z.number().int().min(100).max(3_600_000).default(STREAM_LIFETIME_MS),
  })
  .strict();

export type NodeConfig = z.infer<typeof configSchema>;

/** A loaded configuration with every path made absolute. */
export interface ResolvedConfig extends NodeConfig {
  readonly configPath: string;
  readonly dir: string;
}
