import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey, type EncryptionKey } from '../../src/crypto/encryption-key.js';
import { generateNodeKey, type NodeKey } from '../../src/crypto/keys.js';
import { Oprf } from '../../src/crypto/oprf/oprf.js';
import { lagrangeAtZero } from '../../src/crypto/oprf/shamir.js';
import { OprfMode } from '../../src/crypto/oprf/suite.js';
import { addSignature, unsignedManifest } from '../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../src/federation/membership/membership.js';
import { deal, type DealTarget } from '../../src/federation/oprf/ceremony/deal.js';
import { finalizeDeals, type FinalizeResult } from '../../src/federation/oprf/ceremony/finalize.js';
import type { HeldShare } from '../../src/federation/oprf/key/key-ring.js';
import { sealScalar } from '../../src/federation/oprf/key/sealed-scalar.js';
import { DEAL_TYP, signBytes } from '../../src/federation/oprf/signed-bytes.js';
import { OprfDealSchema, SignedOprfDealSchema, type SignedOprfDeal } from '../../src/gen/cordon/v1/oprf_pb.js';

/**
 * The key ceremony's rules, without a network: real signed manifest, real
 * X25519 keys, real deals, every node's side run in turn. A dealer that
 * cheats — a sub-share off its commitments, a resharing polynomial whose
 * constant is not its share, a sub-share lifted from another deal — is
 * caught by name, and honest deals give every holder a share of one key.
 */
const IDS = ['c1', 'c2', 'c3', 'c4'];
const keys: Record<string, NodeKey> = {};
const enc: Record<string, EncryptionKey> = {};
let membership: Membership;
let oprf: Oprf;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

beforeAll(async () => {
  oprf = await Oprf.load(OprfMode.VOPRF);
  for (const id of IDS) {
    keys[id] = generateNodeKey().key;
    enc[id] = generateEncryptionKey().key;
  }
  const manifest = {
    consortium: 'ceremony', version: 1, issued_at: new Date().toISOString(), threshold: 1, founders: ['c1'],
    members: IDS.map((id) => ({ id, organisation: id, role: 'consortium' as const, jwk: keys[id]!.publicJwk, enc_jwk: enc[id]!.publicJwk, endpoints: { grpc: '127.0.0.1:1' } })),
  };
  membership = Membership.fromDocument(addSignature(unsignedManifest(manifest), 'c1', keys.c1!.privateKey));
});

const dealBy = (id: string, target: DealTarget, held?: HeldShare) => deal({ group: oprf.group, membership, self: { id, key: keys[id]!.privateKey }, held }, target);
const finalizeAt = (id: string, deals: SignedOprfDeal[], held?: HeldShare) =>
  finalizeDeals({ group: oprf.group, membership, selfId: id, encKey: enc[id]!, heldShare: async () => held }, deals);
const heldOf = (id: string, r: FinalizeResult): HeldShare => {
  if (r.outcome !== 'holder') throw new Error(`${id} is not a holder`);
  return { key: r.key, index: r.key.indexOf(id)!, share: r.share, publicShare: oprf.group.mulBase(r.share) };
};

/** Re-signs an altered deal as its dealer would (a dishonest dealer signs whatever it likes). */
function resign(signed: SignedOprfDeal, change: (d: ReturnType<typeof fromBinary<typeof OprfDealSchema>>) => Promise<void> | void) {
  return (async () => {
    const d = fromBinary(OprfDealSchema, signed.deal);
    await change(d);
    const bytes = toBinary(OprfDealSchema, d);
    return create(SignedOprfDealSchema, { deal: bytes, signature: signBytes(bytes, keys[d.dealer]!.privateKey, d.dealer, DEAL_TYP) });
  })();
}

describe('OPRF key ceremony', () => {
  const target = { epoch: 5, generation: 1, threshold: 2, holders: ['c1', 'c2', 'c3'] };

  it('gives every holder a share of one key that no one dealt alone, and reshares it to new holders unchanged', async () => {
    const deals = await Promise.all(target.holders.map((id) => dealBy(id, target)));
    const results = await Promise.all(target.holders.map((id) => finalizeAt(id, deals)));
    expect(new Set(results.map((r) => hex(r.key.bytes))).size).toBe(1);
    const held = Object.fromEntries(target.holders.map((id, i) => [id, heldOf(id, results[i]!)]));
    // Any two shares interpolate to the key whose public key the commitments name.
    const lambdas = lagrangeAtZero(oprf.group, [1, 3]);
    const key = oprf.group.scalarAdd(oprf.group.scalarMul(lambdas[0]!, held.c1!.share), oprf.group.scalarMul(lambdas[1]!, held.c3!.share));
    expect(hex(oprf.group.mulBase(key))).toBe(hex(results[0]!.key.publicKey));

    // Resharing: c1 and c3 deal their shares to c2, c3, c4 with threshold 3.
    const next = { epoch: 5, generation: 2, threshold: 3, holders: ['c2', 'c3', 'c4'] };
    const reshared = [await dealBy('c1', next, held.c1), await dealBy('c3', next, held.c3)];
    const fresh = await Promise.all(next.holders.map((id) => finalizeAt(id, reshared, held[id])));
    expect(fresh.every((r) => r.outcome === 'holder' && hex(r.key.publicKey) === hex(results[0]!.key.publicKey))).toBe(true);
    const s = next.holders.map((id, i) => heldOf(id, fresh[i]!));
    const l3 = lagrangeAtZero(oprf.group, [1, 2, 3]);
    const again = s.reduce((acc, h, i) => oprf.group.scalarAdd(acc, oprf.group.scalarMul(l3[i]!, h.share)), oprf.group.scalarOf(0));
    expect(hex(again)).toBe(hex(key));
    // The leaver learns it is retired.
    expect((await finalizeAt('c1', reshared, held.c1)).outcome).toBe('retired');
  });

  it('catches a dealer whose sub-share does not match its commitments, naming it', async () => {
    const deals = await Promise.all(target.holders.map((id) => dealBy(id, target)));
    deals[1] = await resign(deals[1]!, async (d) => {
      d.subShares[0]!.jwe = await sealScalar(oprf.group.randomScalar(), enc.c1!.publicJwk, { recipient: 'c1', epoch: 5, generation: 1, origin: 'c2' });
    });
    await expect(finalizeAt('c1', deals)).rejects.toThrow(/deal 1 \(from 'c2'\): the sub-share for 'c1' does not match the dealer's commitments/);
    // c3's sub-share from c2 is honest: c3 alone would not notice; c1's complaint is what stops the ceremony.
    await expect(finalizeAt('c3', deals)).resolves.toMatchObject({ outcome: 'holder' });
  });

  it('refuses a sub-share lifted from another deal (its JWE header binds dealer, epoch and recipient)', async () => {
    const deals = await Promise.all(target.holders.map((id) => dealBy(id, target)));
    const other = await dealBy('c3', { ...target, epoch: 6 });
    deals[2] = await resign(deals[2]!, (d) => {
      d.subShares[0]!.jwe = fromBinary(OprfDealSchema, other.deal).subShares[0]!.jwe;
    });
    await expect(finalizeAt('c1', deals)).rejects.toThrow(/sub-share for 'c1': header cordon_epoch is 6, expected 5/);
  });

  it('catches a resharing dealer that does not deal its real share', async () => {
    const deals = await Promise.all(target.holders.map((id) => dealBy(id, target)));
    const results = await Promise.all(target.holders.map((id) => finalizeAt(id, deals)));
    const [c1, c2] = [heldOf('c1', results[0]!), heldOf('c2', results[1]!)];
    const next = { epoch: 5, generation: 2, threshold: 2, holders: ['c1', 'c2', 'c4'] };
    const reshared = [await dealBy('c1', next, c1), await dealBy('c2', next, { ...c2, share: oprf.group.randomScalar() })];
    await expect(finalizeAt('c4', reshared)).rejects.toThrow(/deal 1 \(from 'c2'\): the polynomial's constant term is not the dealer's share of the previous key/);
  });

  it('refuses deals that are forged, incomplete or for a key a node already holds', async () => {
    const deals = await Promise.all(target.holders.map((id) => dealBy(id, target)));
    const forged = { ...deals[0]!, signature: deals[1]!.signature };
    await expect(finalizeAt('c1', [forged, deals[1]!, deals[2]!])).rejects.toThrow(/signed by 'c2', expected 'c1'/);
    await expect(finalizeAt('c1', deals.slice(0, 2))).rejects.toThrow(/every holder deals a new key; missing c3/);
    const held = heldOf('c1', await finalizeAt('c1', deals));
    await expect(dealBy('c1', target, held)).rejects.toThrow(/a key is never generated twice/);
    const otherKey = await Promise.all(target.holders.map((id) => dealBy(id, target)));
    await expect(finalizeAt('c1', otherKey, held)).rejects.toThrow(/already holds epoch 5 key, generation 1.*a different key/);
    await expect(finalizeAt('c4', deals)).rejects.toThrow(/'c4' is not a holder of the new key/);
  });
});
