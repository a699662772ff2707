import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { CordonError, firstIssue } from '../errors.js';
import { configSchema, type ResolvedConfig } from './schema.js';

/** The file name of a node's configuration inside its directory. */
export const CONFIG_FILE = 'cordon.json';

/** Environment variables that override one key each (12-factor style deployments). */
const ENV_OVERRIDES: Record<string, keyof typeof configSchema.shape> = {
  CORDON_LISTEN: 'listen',
  CORDON_HTTP_LISTEN: 'http_listen',
  CORDON_DATA_DIR: 'data_dir',
  CORDON_KEY_FILE: 'key_file',
  CORDON_MANIFEST_FILE: 'manifest_file',
  DATABASE_URL: 'database_url',
};

/** Accepts a node directory or a config file path. */
export function configPathOf(pathOrDir: string): string {
  return pathOrDir.endsWith('.json') ? resolve(pathOrDir) : resolve(pathOrDir, CONFIG_FILE);
}

export async function loadConfig(pathOrDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedConfig> {
  const configPath = configPathOf(pathOrDir);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CordonError('INVALID_CONFIG', `config ${configPath}: ${code === 'ENOENT' ? 'does not exist (create a node with cordon init)' : (err as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new CordonError('INVALID_CONFIG', `config ${configPath}: not valid JSON (${(err as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CordonError('INVALID_CONFIG', `config ${configPath}: must be a JSON object`);
  const overridden = new Map<string, string>();
  for (const [variable, key] of Object.entries(ENV_OVERRIDES)) {
    if (env[variable]) {
      raw[key] = env[variable];
      overridden.set(key, variable);
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // A bad value from the environment is named by its variable: the file does not hold it.
    const issue = parsed.error.issues[0];
    const variable = issue?.path.length === 1 ? overridden.get(String(issue.path[0])) : undefined;
    if (issue && variable) throw new CordonError('INVALID_CONFIG', `${variable} (overrides ${String(issue.path[0])} of ${configPath}): ${issue.message}`);
    throw new CordonError('INVALID_CONFIG', `config ${configPath}: ${firstIssue(parsed.error)}`);
  }
  const dir = dirname(configPath);
  const abs = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  return {
    ...parsed.data,
    key_file: abs(parsed.data.key_file),
    manifest_file: abs(parsed.data.manifest_file),
    data_dir: abs(parsed.data.data_dir),
    configPath,
    dir,
  };
}
