import type { Sql } from 'postgres';
import { CordonError } from '../../../errors.js';
import type { EncryptionKey } from '../../../crypto/encryption-key.js';
import type { Element, Ristretto255, Scalar } from '../../../crypto/oprf/group.js';
import { OprfKey } from './oprf-key.js';
import { openScalar, sealScalar } from './sealed-scalar.js';
import { deleteShares, latestShare, replaceShares } from './share-store.js';

/** A key share this node holds, unsealed in memory. */
export interface HeldShare {
  readonly key: OprfKey;
  readonly index: number;
  readonly share: Scalar;
  /** share·G, the key the node's evaluation proofs are made against. */
  readonly publicShare: Element;
}

/**
 * A consortium node's OPRF key shares: sealed (JWE to the node's own
 * encryption key) in PostgreSQL, unsealed into memory on first use and kept
 * per epoch. Shares leave this object only as evaluations and proofs, or
 * re-dealt (sealed to each recipient) in a resharing.
 */
export class KeyRing {
  readonly #cache = new Map<number, Promise<HeldShare | undefined>>();

  constructor(
    private readonly sql: Sql,
    private readonly group: Ristretto255,
    private readonly nodeId: string,
    private readonly encKey: EncryptionKey,
  ) {}

  /** The newest generation of `epoch`'s key this node holds a share of. */
  current(epoch: number): Promise<HeldShare | undefined> {
    let held = this.#cache.get(epoch);
    if (!held) {
      held = this.#load(epoch);
      this.#cache.set(epoch, held);
      held.catch(() => this.#cache.delete(epoch));
    }
    return held;
  }

  /**
   * The share of `epoch`'s key, of `generation` when it is not 0. Throws
   * NOT_FOUND when this node holds none, OUT_OF_SEQUENCE when it holds another
   * generation (the caller's view is stale: the key was reshared).
   */
  async require(epoch: number, generation = 0): Promise<HeldShare> {
    let held = await this.current(epoch);
    if (held && generation !== 0 && held.key.generation !== generation) held = await this.refresh(epoch);
    if (!held) throw new CordonError('NOT_FOUND', `'${this.nodeId}' holds no share of epoch ${epoch}'s OPRF key (cordon oprf keygen makes one)`);
    if (generation !== 0 && held.key.generation !== generation) {
      throw new CordonError('OUT_OF_SEQUENCE', `'${this.nodeId}' holds generation ${held.key.generation} of epoch ${epoch}'s key, not ${generation} (it was reshared: fetch the key info again)`);
    }
    return held;
  }

  /** Like current(), but re-reads the database (another process behind the same database may have reshared). */
  refresh(epoch: number): Promise<HeldShare | undefined> {
    this.#cache.delete(epoch);
    return this.current(epoch);
  }

  /** Seals and stores this node's share of a new key generation, deleting older ones of the epoch. */
  async keep(key: OprfKey, share: Scalar): Promise<HeldShare> {
    const index = key.indexOf(this.nodeId);
    if (index === undefined) throw new CordonError('INTERNAL', `${key.describe()}: '${this.nodeId}' is not a holder`);
    const publicShare = this.group.mulBase(share);
    if (!Buffer.from(publicShare).equals(Buffer.from(key.publicShare(index)))) {
      throw new CordonError('INTERNAL', `${key.describe()}: this node's share does not match its public share`);
    }
    const jwe = await sealScalar(share, this.encKey.publicJwk, { recipient: this.nodeId, epoch: key.epoch, generation: key.generation, origin: 'self' });
    await replaceShares(this.sql, { epoch: key.epoch, generation: key.generation, share_index: index, key_info: key.bytes, share_jwe: jwe });
    const held: HeldShare = { key, index, share, publicShare };
    this.#cache.set(key.epoch, Promise.resolve(held));
    return held;
  }

  /** Deletes this node's shares of `epoch` older than `generation` (it is not a holder of that generation). */
  async retire(epoch: number, generation: number): Promise<number> {
    const held = await this.#cache.get(epoch)?.catch(() => undefined);
    const deleted = await deleteShares(this.sql, epoch, generation);
    this.#cache.delete(epoch);
    if (held) this.group.wipe(held.share);
    return deleted;
  }

  async #load(epoch: number): Promise<HeldShare | undefined> {
    const row = await latestShare(this.sql, epoch);
    if (!row) return undefined;
    const where = `share of epoch ${epoch} generation ${row.generation} in this node's database`;
    const key = OprfKey.parse(this.group, row.key_info, where);
    const share = await openScalar(row.share_jwe, this.encKey, { recipient: this.nodeId, epoch, generation: row.generation, origin: 'self' }, where);
    const index = key.indexOf(this.nodeId);
    if (index !== row.share_index) throw new CordonError('INTERNAL', `${where}: stored index ${row.share_index} is not this node's place among the holders`);
    const publicShare = this.group.mulBase(share);
    if (!Buffer.from(publicShare).equals(Buffer.from(key.publicShare(index)))) throw new CordonError('INTERNAL', `${where}: the share does not match its public share`);
    return { key, index, share, publicShare };
  }
}
