import { CordonError, errorMessage } from '../../../errors.js';
import type { Ristretto255 } from '../../../crypto/oprf/group.js';
import type { Membership } from '../../membership/membership.js';
import { OprfKey } from '../key/oprf-key.js';
import { KEY_INFO_TYP, verifySignedBytes } from '../signed-bytes.js';
import type { OprfClient } from './oprf-client.js';

/**
 * The key of an epoch as the consortium holds it: every reachable consortium
 * node is asked for its signed key info, and the newest generation that at
 * least its threshold of its own holders vouch for (byte-identical infos,
 * each signed by the holder) wins. One node alone can therefore not pass off
 * other commitments, and so other public shares, than its co-holders hold.
 */
export interface AgreedKey {
  readonly key: OprfKey;
  /** Holders that vouched for it. */
  readonly vouchers: readonly string[];
  /** Nodes that did not answer usefully, with why. */
  readonly problems: readonly string[];
}

export async function agreedKey(group: Ristretto255, membership: Membership, clients: readonly OprfClient[], epoch: number): Promise<AgreedKey> {
  const problems: string[] = [];
  const byBytes = new Map<string, { key: OprfKey; vouchers: string[] }>();
  let notFound = 0;
  await Promise.all(
    clients.map(async (client) => {
      const node = client.peer.id;
      try {
        const res = await client.getKeyInfo(epoch);
        verifySignedBytes(membership, node, res.keyInfo, res.signature, KEY_INFO_TYP, `key info from '${node}'`);
        const key = OprfKey.parse(group, res.keyInfo, `key info from '${node}'`);
        if (key.epoch !== epoch) throw new CordonError('INVALID_INPUT', `answered with epoch ${key.epoch}`);
        if (key.indexOf(node) === undefined) throw new CordonError('INVALID_INPUT', 'is not a holder of the key it describes');
        const id = Buffer.from(key.bytes).toString('hex');
        const entry = byBytes.get(id) ?? { key, vouchers: [] };
        entry.vouchers.push(node);
        byBytes.set(id, entry);
      } catch (err) {
        if (err instanceof CordonError && err.code === 'NOT_FOUND') notFound++;
        problems.push(`${node}: ${errorMessage(err).replace(`${node}: `, '')}`);
      }
    }),
  );
  const agreed = [...byBytes.values()].filter((e) => e.vouchers.length >= e.key.threshold).sort((a, b) => b.key.generation - a.key.generation)[0];
  if (agreed) return { key: agreed.key, vouchers: agreed.vouchers.sort(), problems };
  if (notFound === clients.length) throw new CordonError('NOT_FOUND', `no consortium node holds an OPRF key for epoch ${epoch} (cordon oprf keygen --epoch ${epoch} makes one)`);
  const seen = [...byBytes.values()].map((e) => `${e.key.describe()} vouched for by ${e.vouchers.join(', ')}`);
  throw new CordonError('UNAVAILABLE', `no OPRF key for epoch ${epoch} that its threshold of holders agree on${seen.length ? `; seen: ${seen.join('; ')}` : ''}${problems.length ? `; ${problems.join('; ')}` : ''}`);
}
