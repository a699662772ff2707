import { createHash } from 'node:crypto';
import type { LogEntryInput } from '../../audit/transparency-log.js';
import type { CaseQuery } from './case-query.js';

/**
 * What a consortium node writes to its transparency log about
 * investigations. Every query: who asked, how many tokens and templates, a
 * SHA-256 over the query (so the opener can later prove what it asked, and
 * repeated queries show), the budget used. Never the purpose (the node
 * cannot read it), never a token, and never whether the query matched or who
 * was asked: the log is readable by every member, and that bit would answer
 * the very guess the budget rations (probing statistics stay at the node,
 * probing.ts). The opener's own lifecycle steps (escalate, close) are logged
 * too; answers and declines are not, since their existence would tell the
 * opener that someone matched.
 */
export const CASE_QUERY_KIND = 'case_query';
export const CASE_EVENT_KIND = 'case_event';

const encode = (value: object): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** SHA-256 over the query's canonical bytes: epoch, each token as kind byte + token, each template's MinHash values. */
export function queryDigest(q: CaseQuery): string {
  const h = createHash('sha256');
  const epoch = Buffer.alloc(4);
  epoch.writeUInt32BE(q.epoch);
  h.update(epoch);
  for (const t of q.tokens) h.update(Uint8Array.of(t.kind)).update(t.token);
  for (const t of q.templates) h.update(Buffer.from(t.minhash.buffer, t.minhash.byteOffset, t.minhash.byteLength));
  return h.digest('hex');
}

export function queryEntry(f: { node: string; provider: string; caseId: string; query: CaseQuery; day: string; usedToday: number; at: Date }): LogEntryInput {
  return {
    kind: CASE_QUERY_KIND,
    ref: f.caseId,
    entry: encode({
      type: CASE_QUERY_KIND, node: f.node, provider: f.provider, case_id: f.caseId, epoch: f.query.epoch,
      tokens: f.query.tokens.length, templates: f.query.templates.length, query_sha256: queryDigest(f.query),
      day: f.day, used_today: f.usedToday, at: f.at.toISOString(),
    }),
  };
}

export function eventEntry(f: { node: string; provider: string; caseId: string; event: 'escalate' | 'close'; at: Date }): LogEntryInput {
  return {
    kind: CASE_EVENT_KIND,
    ref: f.caseId,
    entry: encode({ type: CASE_EVENT_KIND, node: f.node, provider: f.provider, case_id: f.caseId, event: f.event, at: f.at.toISOString() }),
  };
}
