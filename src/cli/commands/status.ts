import { errorMessage } from '../../errors.js';
import { readNodeKey } from '../../crypto/keys.js';
import { PeerClient } from '../../federation/client/peer-client.js';
import { Membership } from '../../federation/membership/membership.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import { parseCommandArgs, type Command, loadNodeConfig } from '../command.js';

/** One consortium node as this node sees it (also the --json shape). */
type NodeStatus =
  | { id: string; manifest_version: number; heads: { provider: string; seq: number }[] }
  | { id: string; error: string };

export const status: Command = {
  name: 'status',
  summary: "show the chain heads each consortium node holds, as this node sees them",
  help: `Usage: cordon status [--node DIR] [--json]

Asks every consortium node in the manifest for its chain heads (a provider sees only its
own chain) and prints one line per node: the manifest version it holds and the head seq of
each provider's chain, or why it could not be reached. Exit 1 if some node could not be.

Options:
  --node DIR   the node to ask from (default: $CORDON_NODE, else the current directory)
  --json       print one JSON object: {node, role, manifest_version, nodes: [{id,
               manifest_version, heads: [{provider, seq}]} or {id, error}]}`,
  async run(argv, io) {
    const { values } = parseCommandArgs('status', argv, { node: { type: 'string' }, json: { type: 'boolean' } }, false);
    const config = await loadNodeConfig(values);
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);
    const nodes: NodeStatus[] = [];
    for (const peer of consortiumPeers(membership, '')) {
      const client = new PeerClient({ id: config.id, key: key.privateKey }, peer);
      try {
        const res = await client.getHeads();
        nodes.push({ id: peer.id, manifest_version: Number(res.manifestVersion), heads: res.heads.map((h) => ({ provider: h.providerId, seq: Number(h.seq) })) });
      } catch (err) {
        nodes.push({ id: peer.id, error: errorMessage(err) });
      } finally {
        client.close();
      }
    }
    if (values.json) io.out(JSON.stringify({ node: config.id, role: config.role, manifest_version: membership.version, nodes }, null, 2));
    else {
      io.out(`${config.id} (${config.role}), manifest v${membership.version}`);
      if (nodes.length === 0) io.out('  no consortium nodes in the manifest');
      for (const n of nodes) io.out(`  ${describeNode(n)}`);
    }
    return nodes.every((n) => !('error' in n)) ? 0 : 1;
  },
};

/** `c1: manifest v2, heads: p1 seq 21, p2 seq 4` or `c2: unreachable: …` */
function describeNode(n: NodeStatus): string {
  if ('error' in n) return `${n.id}: unreachable: ${n.error}`;
  const heads = n.heads.length === 0 ? 'no chains yet' : `heads: ${n.heads.map((h) => `${h.provider} seq ${h.seq}`).join(', ')}`;
  return `${n.id}: manifest v${n.manifest_version}, ${heads}`;
}
