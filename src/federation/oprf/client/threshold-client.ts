import { CordonError, errorMessage } from '../../../errors.js';
import type { Oprf } from '../../../crypto/oprf/oprf.js';
import type { BlindEvaluator, PartialEvaluation } from '../../../crypto/oprf/threshold.js';
import type { Identity } from '../../client/peer-client.js';
import type { Membership } from '../../membership/membership.js';
import type { OprfKey } from '../key/oprf-key.js';
import { MAX_EVALUATE_BATCH } from '../limits.js';
import { agreedKey } from './agreed-key.js';
import { OprfClient } from './oprf-client.js';

/**
 * The provider's side of threshold evaluation: a BlindEvaluator that asks t
 * holders of the epoch's key for their partial evaluations of the same
 * blinded elements and checks each one's batched DLEQ proof against that
 * holder's public share key before using it. A holder that is down, refuses,
 * or answers with an evaluation its proof does not cover is passed over for
 * the next holder; a wrong evaluation is also reported as a fault (it means
 * the node is faulty or malicious). With fewer than t good answers the batch
 * fails, naming every holder and why.
 *
 * Only blinded elements leave: the inputs, blinds and results stay with the
 * caller (OprfTokenPrf).
 */
export interface NodeFault {
  readonly node: string;
  readonly epoch: number;
  readonly reason: string;
}

export interface ThresholdClientOptions {
  /** Called for each holder whose evaluation fails its proof. */
  readonly onFault?: (fault: NodeFault) => void;
}

/** A holder that failed is asked last for this long, so a node that is down does not slow every batch. */
const SUSPECT_MS = 60_000;

/** The key the caller verified against was reshared meanwhile: fetch it again and retry once. */
class StaleKeyError extends CordonError {}

export class ThresholdOprfClient implements BlindEvaluator {
  readonly maxBatch = MAX_EVALUATE_BATCH;
  readonly #clients = new Map<string, OprfClient>();
  readonly #keys = new Map<number, Promise<OprfKey>>();
  readonly #suspectSince = new Map<string, number>();

  constructor(
    private readonly self: Identity,
    private readonly membership: Membership,
    private readonly oprf: Oprf,
    private readonly options: ThresholdClientOptions = {},
  ) {}

  async evaluate(epoch: number, blindedElements: readonly Uint8Array[]): Promise<PartialEvaluation[]> {
    if (blindedElements.length > this.maxBatch) throw new CordonError('INVALID_INPUT', `OPRF batch of ${blindedElements.length}: at most ${this.maxBatch} per call`);
    try {
      return await this.#evaluateWith(await this.key(epoch), blindedElements);
    } catch (err) {
      if (!(err instanceof StaleKeyError)) throw err;
      this.#keys.delete(epoch);
      return this.#evaluateWith(await this.key(epoch), blindedElements);
    }
  }

  /** The epoch's key as its holders agree on it (cached until a holder reports a resharing). */
  key(epoch: number): Promise<OprfKey> {
    let key = this.#keys.get(epoch);
    if (!key) {
      key = agreedKey(this.oprf.group, this.membership, this.#consortiumClients(), epoch).then((a) => a.key);
      this.#keys.set(epoch, key);
      key.catch(() => this.#keys.delete(epoch));
    }
    return key;
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }

  async #evaluateWith(key: OprfKey, blinded: readonly Uint8Array[]): Promise<PartialEvaluation[]> {
    const now = Date.now();
    const suspect = (id: string) => now - (this.#suspectSince.get(id) ?? -Infinity) < SUSPECT_MS;
    // Holders in index order, those that failed recently last.
    const order = key.holders.filter((id) => this.#client(id)).sort((a, b) => Number(suspect(a)) - Number(suspect(b)));
    const good: PartialEvaluation[] = [];
    const failures: { node: string; error: CordonError }[] = [];
    let next = 0;
    while (good.length < key.threshold && next < order.length) {
      const wave = order.slice(next, next + key.threshold - good.length);
      next += wave.length;
      await Promise.all(wave.map(async (node) => {
        try {
          good.push(await this.#ask(key, node, blinded));
          this.#suspectSince.delete(node);
        } catch (err) {
          const error = err instanceof CordonError ? err : new CordonError('INTERNAL', errorMessage(err));
          failures.push({ node, error });
          this.#suspectSince.set(node, Date.now());
        }
      }));
    }
    if (good.length >= key.threshold) return good.slice(0, key.threshold);
    if (failures.some((f) => f.error.code === 'OUT_OF_SEQUENCE')) throw new StaleKeyError('OUT_OF_SEQUENCE', `${key.describe()} was reshared`);
    const unreachable = key.holders.filter((id) => !this.#client(id)).map((id) => `${id}: no active member with a gRPC endpoint`);
    const reasons = [...failures.map((f) => `${f.node}: ${errorMessage(f.error).replace(`${f.node}: `, '')}`), ...unreachable];
    const codes = new Set(failures.map((f) => f.error.code));
    const code = codes.size === 1 && !codes.has('INTERNAL') ? [...codes][0]! : 'UNAVAILABLE';
    throw new CordonError(code, `oblivious tokenization needs ${key.threshold} of the holders of the ${key.describe()}; got ${good.length}: ${reasons.join('; ')}`);
  }

  async #ask(key: OprfKey, node: string, blinded: readonly Uint8Array[]): Promise<PartialEvaluation> {
    const index = key.indexOf(node)!;
    const res = await this.#client(node)!.evaluate(key.epoch, key.generation, blinded);
    const wrong = (what: string) => {
      const fault = { node, epoch: key.epoch, reason: `wrong evaluation: ${what}` };
      this.options.onFault?.(fault);
      return new CordonError('INVALID_SIGNATURE', `${node}: ${fault.reason}`);
    };
    if (res.epoch !== key.epoch || res.generation !== key.generation || res.shareIndex !== index) {
      throw wrong(`answered for epoch ${res.epoch} generation ${res.generation} share ${res.shareIndex}, asked epoch ${key.epoch} generation ${key.generation} share ${index}`);
    }
    if (res.evaluatedElements.length !== blinded.length) throw wrong(`${res.evaluatedElements.length} elements for ${blinded.length} blinded ones`);
    let evaluated: Uint8Array[];
    try {
      evaluated = res.evaluatedElements.map((e, i) => this.oprf.group.element(e, `evaluated element ${i}`));
    } catch (err) {
      throw wrong(errorMessage(err));
    }
    if (res.proof.length !== 64 || !this.#verify(key.publicShare(index), blinded, evaluated, res.proof)) {
      throw wrong(`its DLEQ proof does not verify against its public share key (share ${index} of the ${key.describe()})`);
    }
    return { index, evaluatedElements: evaluated };
  }

  #verify(publicShare: Uint8Array, blinded: readonly Uint8Array[], evaluated: readonly Uint8Array[], proof: Uint8Array): boolean {
    try {
      return this.oprf.verify(publicShare, blinded, evaluated, proof);
    } catch {
      return false;
    }
  }

  #consortiumClients(): OprfClient[] {
    return this.membership.members('consortium').flatMap((m) => (m.endpoints.grpc ? [this.#client(m.id)!] : []));
  }

  /** The client of an active consortium member with a gRPC endpoint (re-made if its address changed). */
  #client(id: string): OprfClient | undefined {
    const member = this.membership.activeMember(id, 'consortium');
    const address = member?.endpoints.grpc;
    if (!address) return undefined;
    let client = this.#clients.get(id);
    if (!client || client.peer.address !== address) {
      client?.close();
      this.#clients.set(id, (client = new OprfClient(this.self, { id, address })));
    }
    return client;
  }
}
