import { CordonError, errorMessage } from '../errors.js';

/**
 * A refused call as one sentence for the narration. Peer errors come back as
 * CordonErrors reading "<node>: <reason>" (src/federation/client/peer-client.ts);
 * a permission refusal's reason reads "<rpc> writes, and <rule>"
 * (src/federation/auth/acl.ts), and the narration keeps the node and the rule,
 * not the RPC path. Anything else is shown as it came.
 */
export function describeRefusal(err: unknown): string {
  const message = errorMessage(err);
  if (!(err instanceof CordonError) || err.code !== 'PERMISSION_DENIED') return message;
  const at = /^([a-z0-9][a-z0-9-]*): (.*)$/s.exec(message);
  const [who, why] = at ? [at[1]!, at[2]!] : ['the node', message];
  const rule = /, and (.*)$/s.exec(why)?.[1] ?? why;
  return `refused by ${who} (permission denied): ${rule.replace(/\.?$/, '.')}`;
}
