import { estimateJaccard, MATCH_THRESHOLD } from '../../crypto/minhash.js';
import { recordKey } from '../ids.js';
import type { Member } from './link-shape.js';

export interface TemplateCandidate { member: Member; epoch: number; minhash: Uint32Array; bkeys: readonly bigint[] }
export interface SimilarPair { a: Member; b: Member; epoch: number; similarity: number }

/**
 * Pairs of templates whose LSH bands collide and whose estimated Jaccard
 * similarity (from the full signatures) reaches the threshold. `incoming` are
 * a batch's templates; `held` the templates their bands hit. Pure.
 */
export function similarTemplatePairs(incoming: readonly TemplateCandidate[], held: readonly TemplateCandidate[], threshold = MATCH_THRESHOLD): SimilarPair[] {
  const byBand = new Map<bigint, TemplateCandidate[]>();
  const all = [...held, ...incoming];
  for (const c of all) for (const b of c.bkeys) {
    let list = byBand.get(b);
    if (!list) byBand.set(b, (list = []));
    list.push(c);
  }
  const seen = new Set<string>();
  const out: SimilarPair[] = [];
  for (const c of incoming) {
    const self = recordKey(c.member.provider, c.member.record);
    for (const b of c.bkeys) {
      for (const other of byBand.get(b) ?? []) {
        const o = recordKey(other.member.provider, other.member.record);
        if (o === self || other.epoch !== c.epoch) continue;
        const pair = self < o ? `${self}\x1e${o}` : `${o}\x1e${self}`;
        if (seen.has(pair)) continue;
        seen.add(pair);
        const similarity = estimateJaccard(c.minhash, other.minhash);
        if (similarity >= threshold) out.push({ a: c.member, b: other.member, epoch: c.epoch, similarity });
      }
    }
  }
  return out;
}
