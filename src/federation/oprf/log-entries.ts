import type { LogEntryInput } from '../../audit/transparency-log.js';
import type { OprfKey } from './key/oprf-key.js';

/**
 * What a consortium node writes to its transparency log about oblivious
 * tokenization: one entry per evaluation batch (who asked, how many, under
 * which key; never an element, let alone an input) and one per key ceremony
 * step it took part in. Entries are canonical JSON, keys in fixed order.
 */
export const OPRF_EVALUATION_KIND = 'oprf_evaluation';
export const OPRF_KEY_KIND = 'oprf_key';

const encode = (value: object): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

export interface EvaluationFacts {
  readonly node: string;
  readonly provider: string;
  readonly epoch: number;
  readonly generation: number;
  readonly count: number;
  readonly day: string;
  readonly usedToday: number;
  readonly at: Date;
}

export function evaluationEntry(f: EvaluationFacts): LogEntryInput {
  return {
    kind: OPRF_EVALUATION_KIND,
    ref: `${f.provider}/${f.day}`,
    entry: encode({
      type: OPRF_EVALUATION_KIND, node: f.node, provider: f.provider, epoch: f.epoch, generation: f.generation,
      count: f.count, day: f.day, used_today: f.usedToday, at: f.at.toISOString(),
    }),
  };
}

export function keyEntry(node: string, key: OprfKey, outcome: 'holder' | 'retired', at: Date): LogEntryInput {
  return {
    kind: OPRF_KEY_KIND,
    ref: `epoch ${key.epoch} generation ${key.generation}`,
    entry: encode({
      type: OPRF_KEY_KIND, node, outcome, epoch: key.epoch, generation: key.generation, threshold: key.threshold, holders: key.holders,
      public_key: Buffer.from(key.publicKey).toString('hex'), key_info_sha256: key.fingerprint, at: at.toISOString(),
    }),
  };
}
