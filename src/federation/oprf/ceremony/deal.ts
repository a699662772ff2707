import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { KeyObject } from 'node:crypto';
import { CordonError } from '../../../errors.js';
import type { Ristretto255 } from '../../../crypto/oprf/group.js';
import { commit, evaluatePolynomial, randomPolynomial } from '../../../crypto/oprf/shamir.js';
import { OprfDealSchema, OprfKeyInfoSchema, OprfSubShareSchema, SignedOprfDealSchema, type SignedOprfDeal } from '../../../gen/cordon/v1/oprf_pb.js';
import type { Membership } from '../../membership/membership.js';
import type { HeldShare } from '../key/key-ring.js';
import { sealScalar } from '../key/sealed-scalar.js';
import { DEAL_TYP, signBytes } from '../signed-bytes.js';
import { holderMembers } from './holders.js';

/**
 * Ceremony round 1 at one dealer. The dealer draws a polynomial f of degree
 * t − 1, publishes Feldman commitments to its coefficients, seals f(x) to
 * each holder x, signs the lot, and forgets f.
 *
 *  - Key generation (generation 1): every holder deals a random f; each
 *    holder's share is the sum of what it received, the key the sum of the
 *    constant terms, which no one ever sees.
 *  - Resharing (generation g+1): each previous holder deals an f whose
 *    constant term is its own share; each new holder's share is the
 *    Lagrange-weighted sum over the dealers, which shares the same key.
 */
export interface DealTarget {
  readonly epoch: number;
  readonly generation: number;
  readonly threshold: number;
  readonly holders: readonly string[];
}

export interface DealEnv {
  readonly group: Ristretto255;
  readonly membership: Membership;
  readonly self: { readonly id: string; readonly key: KeyObject };
  /** This node's current share of the epoch's key, if it holds one. */
  readonly held: HeldShare | undefined;
}

export async function deal(env: DealEnv, target: DealTarget): Promise<SignedOprfDeal> {
  const where = `deal for epoch ${target.epoch} generation ${target.generation}`;
  const members = holderMembers(env.membership, target.holders, where);
  if (!Number.isInteger(target.threshold) || target.threshold < 1 || target.threshold > members.length) {
    throw new CordonError('INVALID_INPUT', `${where}: threshold must be 1..${members.length} (the holders), got ${target.threshold}`);
  }
  const { held } = env;
  let constant: Uint8Array | undefined;
  if (target.generation === 1) {
    if (held) throw new CordonError('OUT_OF_SEQUENCE', `${where}: '${env.self.id}' already holds ${held.key.describe()}; a key is never generated twice (reshare it instead)`);
    if (!target.holders.includes(env.self.id)) throw new CordonError('INVALID_INPUT', `${where}: a new key is dealt by its holders, and '${env.self.id}' is not one`);
  } else {
    if (!held) throw new CordonError('NOT_FOUND', `${where}: '${env.self.id}' holds no share of epoch ${target.epoch}'s key to reshare`);
    if (held.key.generation !== target.generation - 1) {
      throw new CordonError('OUT_OF_SEQUENCE', `${where}: '${env.self.id}' holds generation ${held.key.generation}, so it can deal generation ${held.key.generation + 1}, not ${target.generation}`);
    }
    constant = held.share;
  }

  const coefficients = randomPolynomial(env.group, target.threshold, constant);
  try {
    const subShares = [];
    for (const [i, member] of members.entries()) {
      const share = evaluatePolynomial(env.group, coefficients, i + 1);
      const jwe = await sealScalar(share, member.enc_jwk, { recipient: member.id, epoch: target.epoch, generation: target.generation, origin: env.self.id });
      env.group.wipe(share);
      subShares.push(create(OprfSubShareSchema, { recipient: member.id, jwe }));
    }
    const message = create(OprfDealSchema, {
      dealer: env.self.id, epoch: target.epoch, generation: target.generation, threshold: target.threshold, holders: [...target.holders],
      commitments: commit(env.group, coefficients), subShares,
      ...(held && constant ? { previous: fromBinary(OprfKeyInfoSchema, held.key.bytes) } : {}),
    });
    const bytes = toBinary(OprfDealSchema, message);
    return create(SignedOprfDealSchema, { deal: bytes, signature: signBytes(bytes, env.self.key, env.self.id, DEAL_TYP) });
  } finally {
    for (const c of coefficients) env.group.wipe(c);
  }
}
