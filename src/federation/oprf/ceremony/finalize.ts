import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { CordonError } from '../../../errors.js';
import type { EncryptionKey } from '../../../crypto/encryption-key.js';
import type { Element, Ristretto255, Scalar } from '../../../crypto/oprf/group.js';
import { lagrangeAtZero, shareMatches } from '../../../crypto/oprf/shamir.js';
import { OprfDealSchema, OprfKeyInfoSchema, type OprfDeal, type SignedOprfDeal } from '../../../gen/cordon/v1/oprf_pb.js';
import type { Membership } from '../../membership/membership.js';
import type { HeldShare } from '../key/key-ring.js';
import { OprfKey } from '../key/oprf-key.js';
import { openScalar } from '../key/sealed-scalar.js';
import { DEAL_TYP, verifySignedBytes } from '../signed-bytes.js';

/**
 * Ceremony round 2 at one node: check every deal, then compute the new key's
 * public description and, at a holder, this node's share.
 *
 * Checks, each failing with an error that names the deal's dealer:
 *  - every deal is signed by its dealer, an active consortium member, and
 *    all deals are for the same epoch, generation, threshold, holders and
 *    (when resharing) previous key; dealers are distinct;
 *  - generation 1: every holder dealt; resharing: at least the previous
 *    threshold of previous holders dealt, each polynomial's constant term
 *    commits to the dealer's previous public share, and the new key's public
 *    key equals the previous one (tokens do not change);
 *  - at a holder: each sub-share opens (sealed to this node, for this deal)
 *    and matches its dealer's commitments at this node's index (Feldman).
 */
export interface FinalizeEnv {
  readonly group: Ristretto255;
  readonly membership: Membership;
  readonly selfId: string;
  readonly encKey: EncryptionKey;
  /** This node's current share of an epoch's key, if it holds one. */
  readonly heldShare: (epoch: number) => Promise<HeldShare | undefined>;
}

export type FinalizeResult =
  | { readonly outcome: 'holder'; readonly key: OprfKey; readonly share: Scalar; readonly alreadyHeld: boolean }
  | { readonly outcome: 'retired'; readonly key: OprfKey };

interface CheckedDeal { readonly deal: OprfDeal; readonly commitments: Element[]; readonly where: string }

export async function finalizeDeals(env: FinalizeEnv, signed: readonly SignedOprfDeal[]): Promise<FinalizeResult> {
  const { group } = env;
  if (signed.length === 0) throw new CordonError('INVALID_INPUT', 'Finalize: no deals');
  const deals = signed.map((s, i) => checkSignature(env.membership, s, i));
  const first = deals[0]!.deal;
  const held = await env.heldShare(first.epoch);
  const where = `key ceremony for epoch ${first.epoch} generation ${first.generation}`;
  const previousBytes = first.previous ? toBinary(OprfKeyInfoSchema, first.previous) : undefined;
  const dealers = new Set<string>();
  for (const d of deals) {
    const x = d.deal;
    const same = x.epoch === first.epoch && x.generation === first.generation && x.threshold === first.threshold
      && x.holders.join(',') === first.holders.join(',')
      && Buffer.from(x.previous ? toBinary(OprfKeyInfoSchema, x.previous) : []).equals(Buffer.from(previousBytes ?? []));
    if (!same) throw new CordonError('INVALID_INPUT', `${d.where}: is for another key than the first deal (epoch, generation, threshold, holders or previous key differ)`);
    if (dealers.has(x.dealer)) throw new CordonError('INVALID_INPUT', `${where}: '${x.dealer}' dealt twice`);
    dealers.add(x.dealer);
    if (x.commitments.length !== first.threshold) throw new CordonError('INVALID_INPUT', `${d.where}: ${x.commitments.length} commitments for threshold ${first.threshold}`);
    d.commitments.push(...x.commitments.map((c, k) => group.element(c, `${d.where}: commitment ${k}`)));
    if (x.subShares.length !== x.holders.length || x.subShares.some((s, i) => s.recipient !== x.holders[i])) {
      throw new CordonError('INVALID_INPUT', `${d.where}: needs one sub-share per holder, in holder order`);
    }
  }

  // Weights of the dealers' polynomials in the new key: 1 each for a fresh key, Lagrange at 0 over the old indices when resharing.
  let weights: Scalar[];
  let previous: OprfKey | undefined;
  if (first.generation === 1) {
    if (previousBytes) throw new CordonError('INVALID_INPUT', `${where}: a generation-1 deal cannot name a previous key`);
    const missing = first.holders.filter((h) => !dealers.has(h));
    if (missing.length > 0 || dealers.size !== first.holders.length) throw new CordonError('INVALID_INPUT', `${where}: every holder deals a new key; missing ${missing.join(', ') || 'none'}, extra ${[...dealers].filter((d) => !first.holders.includes(d)).join(', ') || 'none'}`);
    weights = deals.map(() => group.scalarOf(1));
  } else {
    if (!previousBytes) throw new CordonError('INVALID_INPUT', `${where}: a resharing deal must name the key it reshares`);
    previous = OprfKey.parse(group, previousBytes, `${where}: previous key`);
    if (previous.epoch !== first.epoch || previous.generation !== first.generation - 1) {
      throw new CordonError('INVALID_INPUT', `${where}: reshares ${previous.describe()}, not generation ${first.generation - 1} of epoch ${first.epoch}`);
    }
    if (held && !held.key.equals(previous)) {
      throw new CordonError('OUT_OF_SEQUENCE', `${where}: reshares ${previous.describe()}, but '${env.selfId}' holds ${held.key.describe()}`);
    }
    if (dealers.size < previous.threshold) throw new CordonError('INVALID_INPUT', `${where}: ${dealers.size} dealers, but resharing needs ${previous.threshold} previous holders`);
    const oldIndices = deals.map((d) => {
      const index = previous!.indexOf(d.deal.dealer);
      if (index === undefined) throw new CordonError('INVALID_INPUT', `${d.where}: '${d.deal.dealer}' is not a holder of the previous key`);
      if (!Buffer.from(d.commitments[0]!).equals(Buffer.from(previous!.publicShare(index)))) {
        throw new CordonError('INVALID_SIGNATURE', `${d.where}: the polynomial's constant term is not the dealer's share of the previous key`);
      }
      return index;
    });
    weights = lagrangeAtZero(group, oldIndices);
  }

  const commitments: Element[] = [];
  for (let k = 0; k < first.threshold; k++) commitments.push(group.sumOfProducts(weights, deals.map((d) => d.commitments[k]!)));
  const key = OprfKey.fromFields(group, { epoch: first.epoch, generation: first.generation, threshold: first.threshold, holders: first.holders, commitments }, where);
  if (previous && !Buffer.from(key.publicKey).equals(Buffer.from(previous.publicKey))) {
    throw new CordonError('INVALID_SIGNATURE', `${where}: the reshared key's public key differs from the previous one`);
  }

  const index = key.indexOf(env.selfId);
  if (index === undefined) {
    // Only a holder of the very key being reshared may drop its share (checked equal to `previous` above).
    if (!previous || !held) throw new CordonError('INVALID_INPUT', `${where}: '${env.selfId}' is not a holder of the new key, nor of the key it reshares`);
    return { outcome: 'retired', key };
  }
  if (held && held.key.generation >= key.generation) {
    if (held.key.equals(key)) return { outcome: 'holder', key, share: held.share, alreadyHeld: true };
    throw new CordonError('OUT_OF_SEQUENCE', `${where}: '${env.selfId}' already holds ${held.key.describe()}, a different key`);
  }

  let share: Scalar | undefined;
  for (const [i, d] of deals.entries()) {
    const jwe = d.deal.subShares[index - 1]!.jwe;
    const place = { recipient: env.selfId, epoch: key.epoch, generation: key.generation, origin: d.deal.dealer };
    const s = await openScalar(jwe, env.encKey, place, `${d.where}: sub-share for '${env.selfId}'`);
    if (!shareMatches(group, d.commitments, index, s)) {
      throw new CordonError('INVALID_SIGNATURE', `${d.where}: the sub-share for '${env.selfId}' does not match the dealer's commitments`);
    }
    const term = group.scalarMul(weights[i]!, s);
    group.wipe(s);
    share = share === undefined ? term : group.scalarAdd(share, term);
  }
  return { outcome: 'holder', key, share: share!, alreadyHeld: false };
}

function checkSignature(membership: Membership, signed: SignedOprfDeal, i: number): CheckedDeal {
  let deal: OprfDeal;
  try {
    deal = fromBinary(OprfDealSchema, signed.deal);
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `Finalize: deal ${i} is not an OprfDeal (${(err as Error).message})`);
  }
  const where = `deal ${i} (from '${deal.dealer}')`;
  verifySignedBytes(membership, deal.dealer, signed.deal, signed.signature, DEAL_TYP, where);
  return { deal, commitments: [], where };
}
