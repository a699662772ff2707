import { stat } from 'node:fs/promises';
import type { ResolvedConfig } from '../../config/schema.js';
import { readNodeKey, type NodeKey } from '../../crypto/keys.js';
import { errorMessage, fileProblem } from '../../errors.js';
import { fail, pass, type CheckResult } from './check.js';

/** Permission bits a private key file may have: owner read/write, nobody else anything. */
const KEY_FILE_MODE = 0o600;

/** The key file: present, readable only by its owner, and an Ed25519 private JWK. */
export async function checkKeyFile(config: ResolvedConfig): Promise<{ results: CheckResult[]; key?: NodeKey }> {
  const path = config.key_file;
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (err) {
    return { results: [fail('key file', `${path}: ${fileProblem(err)}`)] };
  }
  const results: CheckResult[] = [];
  results.push((mode & ~KEY_FILE_MODE) === 0
    ? pass('key permissions', `${path} is ${octal(mode)}`)
    : fail('key permissions', `${path} is ${octal(mode)}: others can read the node's private key (chmod 600 ${path})`));
  try {
    const key = await readNodeKey(path);
    results.push(pass('key file', `Ed25519 private JWK, public x=${key.publicJwk.x.slice(0, 12)}…`));
    return { results, key };
  } catch (err) {
    results.push(fail('key file', errorMessage(err)));
    return { results };
  }
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;
