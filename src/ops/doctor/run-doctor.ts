import { loadConfig } from '../../config/load.js';
import { errorMessage } from '../../errors.js';
import { fail, pass, skip, type CheckResult } from './check.js';
import { checkDatabase } from './database-checks.js';
import { checkKeyFile } from './key-checks.js';
import { checkManifest } from './manifest-checks.js';
import { checkPeers } from './peer-checks.js';

export interface DoctorOptions {
  /** Skip the peer checks (a node checked before its consortium is up). */
  readonly offline?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * `cordon doctor`: checks, in order, what a node needs to run: its config
 * (schema, environment overrides applied as the node would), key file,
 * manifest and membership, database, and its peers. A check whose input
 * failed is reported as skipped rather than failing again with a
 * consequential error.
 */
export async function runDoctor(nodeDir: string, opts: DoctorOptions = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let config;
  try {
    config = await loadConfig(nodeDir, opts.env);
    results.push(pass('config', `${config.configPath}: ${config.role} node '${config.id}', gRPC ${config.listen}${config.http_listen ? `, HTTP ${config.http_listen}` : ''}`));
  } catch (err) {
    results.push(fail('config', errorMessage(err)));
    for (const c of ['key file', 'manifest', 'database', 'peers']) results.push(skip(c, 'no valid config'));
    return results;
  }
  const key = await checkKeyFile(config);
  results.push(...key.results);
  const manifest = await checkManifest(config, key.key);
  results.push(...manifest.results);
  results.push(...(await checkDatabase(config)));
  if (opts.offline) results.push(skip('peers', '--offline'));
  else if (!key.key || !manifest.membership) results.push(skip('peers', 'no key or no verified manifest to call them with'));
  else results.push(...(await checkPeers(config, key.key, manifest.membership)));
  return results;
}

/** The process exit code for a checklist: 1 if anything failed. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
