import postgres, { type Sql } from 'postgres';
import { CordonError, errorMessage } from '../errors.js';
import { openEmbeddedServer, type EmbeddedServer } from './embedded.js';
import { migrate } from './migrate.js';

/** Connections per node: enough for acceptance, replication and reads in parallel. */
const POOL_SIZE = 10;

export interface Database {
  readonly sql: Sql;
  /** Set when this node runs its own embedded server. */
  readonly embedded?: EmbeddedServer;
  /** Closes the pool; stops the embedded server if this process started it and `stopServer`. */
  close(options?: { stopServer?: boolean }): Promise<void>;
}

/** The database name a node uses inside its embedded server. */
const EMBEDDED_DATABASE = 'cordon';

/**
 * Opens a node's database: `databaseUrl` when given, otherwise the embedded
 * server in `dataDir`. Applies pending migrations before resolving. When it
 * fails after starting the embedded server, it stops that server again (a
 * failed open leaves nothing running; one it found running stays).
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  if (opts.databaseUrl) return openUrl(opts.databaseUrl);
  const embedded = await openEmbeddedServer(opts.dataDir);
  try {
    return await openUrl(await embeddedDatabaseUrl(embedded), embedded);
  } catch (err) {
    if (embedded.startedHere) await embedded.stop();
    throw err;
  }
}

/** The URL of the node's database inside its embedded server, created on first use. */
async function embeddedDatabaseUrl(embedded: EmbeddedServer): Promise<string> {
  const admin = postgres(embedded.url, { max: 1, onnotice: () => undefined });
  try {
    const exists = await admin`SELECT 1 FROM pg_database WHERE datname = ${EMBEDDED_DATABASE}`;
    if (exists.length === 0) await admin.unsafe(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((err: unknown) => {
      // Two processes may race to create it; the loser sees 42P04 (duplicate_database).
      if ((err as { code?: string }).code !== '42P04') throw err;
    });
  } finally {
    await admin.end();
  }
  const u = new URL(embedded.url);
  u.pathname = `/${EMBEDDED_DATABASE}`;
  return u.toString();
}

/** Connects to `url` and applies pending migrations. */
async function openUrl(url: string, embedded?: EmbeddedServer): Promise<Database> {
  const sql = postgres(url, {
    max: POOL_SIZE,
    onnotice: () => undefined,
    // bigint columns come back as JS bigint only where asked; counts fit in numbers.
    types: { bigint: postgres.BigInt },
    connect_timeout: 10,
  });
  try {
    await migrate(sql);
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw new CordonError('UNAVAILABLE', `database ${redact(url)}: ${errorMessage(err)}`, { cause: err });
  }
  return {
    sql,
    ...(embedded ? { embedded } : {}),
    close: async (options) => {
      await sql.end({ timeout: 5 });
      if (options?.stopServer && embedded?.startedHere) await embedded.stop();
    },
  };
}

/** A node's database as its configuration says: `database_url`, or the embedded server in `data_dir`. */
export function openNodeDatabase(config: { database_url?: string | undefined; data_dir: string }): Promise<Database> {
  return openDatabase({ ...(config.database_url ? { databaseUrl: config.database_url } : {}), dataDir: config.data_dir });
}

/** A database URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
