import type { Sql } from 'postgres';
import { estimateJaccard, MATCH_THRESHOLD } from '../../crypto/minhash.js';
import type { Matcher } from '../../match/matcher.js';
import { findBandPostings } from '../../match/store/bands.js';
import { latestRecords } from '../../match/store/records.js';
import type { CaseQuery } from './case-query.js';

/**
 * Which other providers' active records a case matches, with their own
 * matching record ids: exact tokens through the matcher's index (which
 * already leaves out expired, retracted and quarantined tokens), templates
 * through the LSH band postings verified on the full signature. The opener's
 * own records never count: a case about one's own accounts asks nobody.
 */
export async function caseHolders(sql: Sql, matcher: Matcher, opener: string, q: CaseQuery): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const add = (provider: string, record: string) => {
    if (provider === opener) return;
    (out.get(provider) ?? out.set(provider, new Set()).get(provider)!).add(record);
  };
  if (q.tokens.length > 0) {
    const hits = await matcher.holders(q.tokens.map((t) => ({ epoch: q.epoch, kind: t.kind, token: t.token })));
    for (const list of hits) for (const h of list) add(h.provider, h.record);
  }
  for (const t of q.templates) {
    const postings = (await findBandPostings(sql, [...new Set(t.bkeys)])).filter((p) => p.epoch === q.epoch && p.provider_id !== opener);
    const refs = [...new Map(postings.map((p) => [`${p.provider_id}\u0000${p.record_id}`, { provider: p.provider_id, record: p.record_id }])).values()];
    for (const rec of await latestRecords(sql, refs)) {
      if (rec.minhash && rec.minhash.length === t.minhash.length && estimateJaccard(rec.minhash, t.minhash) >= MATCH_THRESHOLD) add(rec.provider_id, rec.record_id);
    }
  }
  return out;
}
