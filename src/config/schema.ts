import { z } from 'zod';
import { nodeIdSchema, ROLES } from '../federation/membership/schema.js';

const listenSchema = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port');

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
    /** PostgreSQL URL; without it the node runs an embedded server in data_dir. */
    database_url: z.string().url().optional(),
    /** Consortium nodes a provider publishes to (default: every active consortium member). */
    publish_to: z.array(nodeIdSchema).optional(),
    /** How often consortium and regulator nodes pull from their peers, in ms. */
    replication_interval_ms: z.number().int().min(50).max(600_000).default(500),
  })
  .strict();

export type NodeConfig = z.infer<typeof configSchema>;

/** A loaded configuration with every path made absolute. */
export interface ResolvedConfig extends NodeConfig {
  readonly configPath: string;
  readonly dir: string;
}
