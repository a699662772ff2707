import { errorMessage } from '../../errors.js';
import { readNodeKey } from '../../crypto/keys.js';
import { PeerClient } from '../../federation/client/peer-client.js';
import { Membership } from '../../federation/membership/membership.js';
import { consortiumPeers } from '../../federation/node/peers.js';
import { parseCommandArgs, type Command, loadNodeConfig } from '../command.js';

export const status: Command = {
  name: 'status',
  summary: "show the chain heads each consortium node holds, as this node sees them",
  help: `Usage: cordon status [--node DIR] [--json]

Asks every consortium node in the manifest for its chain heads (a provider sees only its
own chain) and prints them side by side, with the manifest version each node holds.`,
  async run(argv, io) {
    const { values } = parseCommandArgs('status', argv, { node: { type: 'string' }, json: { type: 'boolean' } }, false);
    const config = await loadNodeConfig(values);
    const key = await readNodeKey(config.key_file);
    const membership = await Membership.load(config.manifest_file);
    const report: Record<string, unknown> = {};
    let unreachable = 0;
    for (const peer of consortiumPeers(membership, '')) {
      const client = new PeerClient({ id: config.id, key: key.privateKey }, peer);
      try {
        const res = await client.getHeads();
        report[peer.id] = { manifest_version: Number(res.manifestVersion), heads: Object.fromEntries(res.heads.map((h) => [h.providerId, Number(h.seq)])) };
      } catch (err) {
        unreachable++;
        report[peer.id] = { error: errorMessage(err) };
      } finally {
        client.close();
      }
    }
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else {
      io.out(`${config.id} (${config.role}), manifest v${membership.version}`);
      for (const [id, r] of Object.entries(report)) io.out(`  ${id}: ${JSON.stringify(r)}`);
    }
    return unreachable === 0 ? 0 : 1;
  },
};
