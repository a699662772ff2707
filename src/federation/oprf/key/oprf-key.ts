import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { createHash } from 'node:crypto';
import { CordonError } from '../../../errors.js';
import type { Element, Ristretto255 } from '../../../crypto/oprf/group.js';
import { commitmentAt, MAX_HOLDERS } from '../../../crypto/oprf/shamir.js';
import { MAX_EPOCH } from '../../../crypto/prf/token-prf.js';
import { OprfKeyInfoSchema, type OprfKeyInfo } from '../../../gen/cordon/v1/oprf_pb.js';
import { NODE_ID } from '../../membership/schema.js';

/**
 * The public description of one epoch's shared OPRF key (OprfKeyInfo on the
 * wire): epoch, generation, threshold t, holders in share-index order, and
 * the Feldman commitments A_0 … A_{t−1}. A_0 is the key's public key; holder
 * x's public share key is Σ A_k·x^k, against which its evaluation proofs are
 * checked. Two nodes hold the same key exactly when their serialized infos
 * are equal byte for byte.
 */
export interface KeyFields {
  readonly epoch: number;
  readonly generation: number;
  readonly threshold: number;
  readonly holders: readonly string[];
  readonly commitments: readonly Element[];
}

export class OprfKey implements KeyFields {
  readonly #publicShares = new Map<number, Element>();

  private constructor(
    private readonly group: Ristretto255,
    /** The serialized OprfKeyInfo: what is signed and compared. */
    readonly bytes: Uint8Array,
    readonly epoch: number,
    readonly generation: number,
    readonly threshold: number,
    readonly holders: readonly string[],
    readonly commitments: readonly Element[],
  ) {}

  /** Validates fields and serializes them. `where` names the source in errors. */
  static fromFields(group: Ristretto255, fields: KeyFields, where: string): OprfKey {
    const bad = (what: string) => new CordonError('INVALID_INPUT', `${where}: ${what}`);
    const { epoch, generation, threshold, holders } = fields;
    if (!Number.isInteger(epoch) || epoch < 1 || epoch > MAX_EPOCH) throw bad(`epoch must be 1..${MAX_EPOCH}, got ${epoch}`);
    if (!Number.isInteger(generation) || generation < 1) throw bad(`generation must be ≥ 1, got ${generation}`);
    checkHolders(holders, where);
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > holders.length) throw bad(`threshold must be 1..${holders.length} (the holders), got ${threshold}`);
    if (fields.commitments.length !== threshold) throw bad(`needs ${threshold} commitments (one per coefficient), got ${fields.commitments.length}`);
    const commitments = fields.commitments.map((c, i) => group.element(c, `${where}: commitment ${i}`));
    const info = create(OprfKeyInfoSchema, { epoch, generation, threshold, holders: [...holders], commitments: [...commitments] });
    return new OprfKey(group, toBinary(OprfKeyInfoSchema, info), epoch, generation, threshold, [...holders], commitments);
  }

  static parse(group: Ristretto255, bytes: Uint8Array, where: string): OprfKey {
    let info: OprfKeyInfo;
    try {
      info = fromBinary(OprfKeyInfoSchema, bytes);
    } catch (err) {
      throw new CordonError('INVALID_INPUT', `${where}: not an OprfKeyInfo (${(err as Error).message})`);
    }
    const key = OprfKey.fromFields(group, info, where);
    if (!Buffer.from(key.bytes).equals(Buffer.from(bytes))) throw new CordonError('INVALID_INPUT', `${where}: key info is not in canonical form`);
    return key;
  }

  get publicKey(): Element {
    return this.commitments[0]!;
  }

  /** The holder's share index (1-based), or undefined if it holds no share. */
  indexOf(nodeId: string): number | undefined {
    const i = this.holders.indexOf(nodeId);
    return i < 0 ? undefined : i + 1;
  }

  /** Holder x's public share key f(x)·G. */
  publicShare(index: number): Element {
    let share = this.#publicShares.get(index);
    if (!share) this.#publicShares.set(index, (share = commitmentAt(this.group, this.commitments, index)));
    return share;
  }

  equals(other: OprfKey): boolean {
    return Buffer.from(this.bytes).equals(Buffer.from(other.bytes));
  }

  /** A short public fingerprint for messages and logs (SHA-256 of the info, 16 hex digits). */
  get fingerprint(): string {
    return createHash('sha256').update(this.bytes).digest('hex').slice(0, 16);
  }

  describe(): string {
    return `epoch ${this.epoch} key, generation ${this.generation}, ${this.threshold} of [${this.holders.join(', ')}] (${this.fingerprint})`;
  }
}

/** Holder lists: 1..MAX_HOLDERS distinct node ids. */
export function checkHolders(holders: readonly string[], where: string): void {
  if (holders.length === 0 || holders.length > MAX_HOLDERS) throw new CordonError('INVALID_INPUT', `${where}: needs 1..${MAX_HOLDERS} holders, got ${holders.length}`);
  for (const h of holders) if (typeof h !== 'string' || !NODE_ID.test(h)) throw new CordonError('INVALID_INPUT', `${where}: holder ${JSON.stringify(h)} is not a node id`);
  if (new Set(holders).size !== holders.length) throw new CordonError('INVALID_INPUT', `${where}: holders repeat (${holders.join(', ')})`);
}
