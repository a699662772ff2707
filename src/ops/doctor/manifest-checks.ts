import type { ResolvedConfig } from '../../config/schema.js';
import type { NodeKey } from '../../crypto/keys.js';
import { errorMessage } from '../../errors.js';
import { Membership } from '../../federation/membership/membership.js';
import { fail, pass, skip, type CheckResult } from './check.js';

/**
 * The manifest: its threshold signatures verify (Membership.load refuses
 * otherwise), this node is listed as what its config says, active, and with
 * the key in its key file.
 */
export async function checkManifest(config: ResolvedConfig, key: NodeKey | undefined): Promise<{ results: CheckResult[]; membership?: Membership }> {
  let membership: Membership;
  try {
    membership = await Membership.load(config.manifest_file);
  } catch (err) {
    return { results: [fail('manifest', errorMessage(err)), skip('membership', 'the manifest did not verify')] };
  }
  const m = membership.manifest;
  const results: CheckResult[] = [pass('manifest', `${config.manifest_file}: version ${membership.version}, ${m.members.length} members, signatures verify`)];
  const me = membership.member(config.id);
  if (!me) {
    results.push(fail('membership', `node '${config.id}' is not in the manifest`));
    return { results, membership };
  }
  const problems: string[] = [];
  if (me.role !== config.role) problems.push(`configured as ${config.role} but listed as ${me.role}`);
  if (me.status !== 'active') problems.push(`listed as ${me.status}`);
  if (key && me.jwk.x !== key.publicJwk.x) problems.push(`the manifest lists another key for '${config.id}' than the one in ${config.key_file}`);
  if (problems.length > 0) results.push(fail('membership', `node '${config.id}': ${problems.join('; ')}`));
  else results.push(pass('membership', `'${config.id}' is an active ${me.role}${key ? ' with this key' : ''}`));
  if (!key) results.push(skip('key matches manifest', 'the key file did not load'));
  return { results, membership };
}
