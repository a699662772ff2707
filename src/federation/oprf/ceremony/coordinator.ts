import { CordonError, errorMessage } from '../../../errors.js';
import type { Ristretto255 } from '../../../crypto/oprf/group.js';
import type { FinalizeResponse, SignedOprfDeal } from '../../../gen/cordon/v1/oprf_pb.js';
import { FinalizeOutcome } from '../../../gen/cordon/v1/oprf_pb.js';
import type { Identity } from '../../client/peer-client.js';
import type { Membership } from '../../membership/membership.js';
import { agreedKey } from '../client/agreed-key.js';
import { OprfClient } from '../client/oprf-client.js';
import { OprfKey } from '../key/oprf-key.js';
import { KEY_INFO_TYP, verifySignedBytes } from '../signed-bytes.js';
import { holderMembers } from './holders.js';

/**
 * Drives a key ceremony from an operator's seat (`cordon oprf keygen` /
 * `reshare`): round 1 asks the dealers for signed deals, round 2 hands every
 * deal to every node concerned, then checks that all new holders computed
 * the very same key. The coordinator only relays: it sees commitments and
 * sealed sub-shares, never a share, and cannot alter a deal unnoticed.
 *
 * Order matters when resharing: new holders finalize first, and previous
 * holders that leave drop their shares only once the new generation exists.
 */
export interface CeremonyPlan {
  readonly epoch: number;
  readonly threshold: number;
  readonly holders: readonly string[];
}

export interface CeremonyReport {
  readonly key: OprfKey;
  readonly previous?: OprfKey;
  readonly dealers: readonly string[];
  /** Previous holders that dropped their share. */
  readonly retired: readonly string[];
  /** Problems that did not stop the ceremony (a dealer that was down, a leaver that did not answer). */
  readonly warnings: readonly string[];
}

export class KeyCeremony {
  readonly #clients = new Map<string, OprfClient>();

  constructor(private readonly self: Identity, private readonly membership: Membership, private readonly group: Ristretto255) {}

  /** A new key for an epoch: every holder deals, no one ever holds the key. */
  async generate(plan: CeremonyPlan): Promise<CeremonyReport> {
    this.#checkPlan(plan);
    const target = { epoch: plan.epoch, generation: 1, threshold: plan.threshold, holders: plan.holders };
    const deals = await Promise.all(plan.holders.map(async (id) => {
      try {
        return (await this.#client(id).deal(target)).deal!;
      } catch (err) {
        throw new CordonError(err instanceof CordonError ? err.code : 'UNAVAILABLE', `key generation for epoch ${plan.epoch}: '${id}' did not deal (${errorMessage(err)}); nothing was stored, run it again`);
      }
    }));
    const key = await this.#finalizeHolders(plan.holders, deals, `key generation for epoch ${plan.epoch}`);
    return { key, dealers: [...plan.holders], retired: [], warnings: [] };
  }

  /**
   * The same key, new shares, for new holders and/or a new threshold: the
   * previous holders that answer (at least the previous threshold) deal their
   * shares; holders that leave drop theirs.
   */
  async reshare(plan: CeremonyPlan): Promise<CeremonyReport> {
    this.#checkPlan(plan);
    const consortium = this.membership.members('consortium').filter((m) => m.endpoints.grpc).map((m) => this.#client(m.id));
    const { key: previous } = await agreedKey(this.group, this.membership, consortium, plan.epoch);
    const where = `resharing of the ${previous.describe()}`;
    const target = { epoch: plan.epoch, generation: previous.generation + 1, threshold: plan.threshold, holders: plan.holders };
    const warnings: string[] = [];
    const deals: SignedOprfDeal[] = [];
    const dealers: string[] = [];
    await Promise.all(previous.holders.map(async (id) => {
      try {
        deals.push((await this.#client(id).deal(target)).deal!);
        dealers.push(id);
      } catch (err) {
        warnings.push(`${id} did not deal: ${errorMessage(err)}`);
      }
    }));
    if (deals.length < previous.threshold) {
      throw new CordonError('UNAVAILABLE', `${where}: needs ${previous.threshold} previous holders to deal, got ${deals.length} (${warnings.join('; ')}); nothing was stored`);
    }
    const key = await this.#finalizeHolders(plan.holders, deals, where);
    if (!Buffer.from(key.publicKey).equals(Buffer.from(previous.publicKey))) throw new CordonError('INTERNAL', `${where}: the new shares are of another key`);
    const retired: string[] = [];
    for (const id of previous.holders.filter((h) => !plan.holders.includes(h))) {
      try {
        const res = await this.#client(id).finalize(deals);
        if (res.outcome === FinalizeOutcome.RETIRED) retired.push(id);
      } catch (err) {
        warnings.push(`${id} left the holders but did not confirm dropping its share: ${errorMessage(err)}`);
      }
    }
    return { key, previous, dealers: dealers.sort(), retired, warnings };
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }

  /** Round 2 at every new holder; all must answer with the same signed key. */
  async #finalizeHolders(holders: readonly string[], deals: readonly SignedOprfDeal[], where: string): Promise<OprfKey> {
    const results = await Promise.all(holders.map(async (id) => {
      try {
        return { id, key: this.#checkedKey(id, await this.#client(id).finalize(deals)) };
      } catch (err) {
        return { id, error: errorMessage(err) };
      }
    }));
    const failed = results.filter((r) => r.error !== undefined);
    const keys = results.flatMap((r) => (r.key ? [r.key] : []));
    const disagree = keys.some((k) => !k.equals(keys[0]!));
    if (failed.length > 0 || disagree) {
      const done = results.filter((r) => r.key).map((r) => `${r.id} holds ${r.key!.describe()}`);
      // Holders that finalized keep their shares; if at least t did, resharing from them brings the others in.
      throw new CordonError('UNAVAILABLE', `${where}: not every holder finalized the same key (${[...failed.map((r) => `${r.id}: ${r.error}`), ...done].join('; ')}); if at least the threshold of holders finalized, cordon oprf reshare from them brings the rest in`);
    }
    return keys[0]!;
  }

  #checkedKey(id: string, res: FinalizeResponse): OprfKey {
    verifySignedBytes(this.membership, id, res.keyInfo, res.signature, KEY_INFO_TYP, `key info from '${id}'`);
    if (res.outcome !== FinalizeOutcome.HOLDER) throw new CordonError('INTERNAL', `'${id}' did not become a holder`);
    return OprfKey.parse(this.group, res.keyInfo, `key info from '${id}'`);
  }

  #checkPlan(plan: CeremonyPlan): void {
    const members = holderMembers(this.membership, plan.holders, `key ceremony for epoch ${plan.epoch}`);
    const unreachable = members.filter((m) => !m.endpoints.grpc).map((m) => m.id);
    if (unreachable.length > 0) throw new CordonError('INVALID_INPUT', `key ceremony for epoch ${plan.epoch}: holders without a gRPC endpoint: ${unreachable.join(', ')}`);
    if (!Number.isInteger(plan.threshold) || plan.threshold < 1 || plan.threshold > plan.holders.length) {
      throw new CordonError('INVALID_INPUT', `key ceremony for epoch ${plan.epoch}: threshold must be 1..${plan.holders.length} (the holders), got ${plan.threshold}`);
    }
  }

  #client(id: string): OprfClient {
    let client = this.#clients.get(id);
    if (!client) {
      const address = this.membership.activeMember(id, 'consortium')?.endpoints.grpc;
      if (!address) throw new CordonError('INVALID_INPUT', `'${id}' is not an active consortium member with a gRPC endpoint`);
      this.#clients.set(id, (client = new OprfClient(this.self, { id, address })));
    }
    return client;
  }
}
