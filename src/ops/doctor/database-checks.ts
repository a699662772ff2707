import { existsSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import type { ResolvedConfig } from '../../config/schema.js';
import { errorMessage } from '../../errors.js';
import { redact } from '../../store/database.js';
import { openEmbeddedServer, type EmbeddedServer } from '../../store/embedded.js';
import { listMigrations } from '../../store/migrate.js';
import { fail, pass, warn, type CheckResult } from './check.js';

/** The database a node's embedded server holds (store/database.ts). */
const EMBEDDED_DATABASE = 'cordon';
/** Seconds to wait for a connection: doctor should answer promptly about a dead server. */
const CONNECT_TIMEOUT_S = 5;

/**
 * The database: reachable, and every migration this build knows applied.
 * Doctor only reads: it never applies migrations (the node does at start).
 * An embedded server that is not running is started for the check and
 * stopped again.
 */
export async function checkDatabase(config: ResolvedConfig): Promise<CheckResult[]> {
  let url = config.database_url;
  let embedded: EmbeddedServer | undefined;
  try {
    if (!url) {
      if (!existsSync(join(config.data_dir, 'pg', 'PG_VERSION'))) {
        return [fail('database', `no embedded PostgreSQL in ${config.data_dir} yet (cordon node start creates it), and no database_url / DATABASE_URL`)];
      }
      embedded = await openEmbeddedServer(config.data_dir);
      const u = new URL(embedded.url);
      u.pathname = `/${EMBEDDED_DATABASE}`;
      url = u.toString();
    }
    return await checkMigrations(url);
  } catch (err) {
    return [fail('database', `${url ? redact(url) : config.data_dir}: ${errorMessage(err)}`)];
  } finally {
    if (embedded?.startedHere) await embedded.stop();
  }
}

async function checkMigrations(url: string): Promise<CheckResult[]> {
  const sql = postgres(url, { max: 1, connect_timeout: CONNECT_TIMEOUT_S, onnotice: () => undefined });
  try {
    // SHOW names its one column after the setting.
    const [{ server_version }] = await sql<[{ server_version: string }]>`SHOW server_version`;
    const results = [pass('database', `${redact(url)}: PostgreSQL ${server_version}`)];
    const [{ exists }] = await sql<[{ exists: boolean }]>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`;
    const applied = new Set(exists ? (await sql<{ version: number }[]>`SELECT version FROM schema_migrations`).map((r) => r.version) : []);
    const known = await listMigrations();
    const pending = known.filter((m) => !applied.has(m.version));
    const unknown = [...applied].filter((v) => !known.some((m) => m.version === v));
    if (pending.length > 0) {
      results.push(fail('migrations', `${pending.length} of ${known.length} not applied (${pending.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`).join(', ')}); the node applies them at start`));
    } else if (unknown.length > 0) {
      results.push(warn('migrations', `all ${known.length} applied, and ${unknown.length} this build does not know (${unknown.join(', ')}): a newer version wrote this database`));
    } else {
      results.push(pass('migrations', `all ${known.length} applied`));
    }
    return results;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
