import type { LogEntryInput } from '../../audit/transparency-log.js';
import { CordonError } from '../../errors.js';
import type { CaseQuery } from './case-query.js';

/**
 * What a consortium node writes to its transparency log about
 * investigations. Every query: who asked, how many tokens and templates, a
 * salted commitment to the query (query-commitment.ts: the opener can later
 * show the regulator what it asked, and no other reader can test a guess
 * against it, nor tell two equal queries apart), the budget used. Never the
 * purpose (the node cannot read it), never a token, never a plain hash of
 * the query (any member can compute any identifier's token in shared-key
 * mode), and never whether the query matched or who was asked: the log is
 * readable by every member, and that bit would answer the very guess the
 * budget rations (probing statistics stay at the node, probing.ts). The
 * opener's own lifecycle steps (escalate, close) are logged too; answers and
 * declines are not, since their existence would tell the opener that
 * someone matched.
 */
export const CASE_QUERY_KIND = 'case_query';
export const CASE_EVENT_KIND = 'case_event';

export interface QueryEntryBody {
  readonly type: typeof CASE_QUERY_KIND;
  readonly node: string;
  readonly provider: string;
  readonly case_id: string;
  readonly epoch: number;
  readonly tokens: number;
  readonly templates: number;
  /** HMAC-SHA256 under the opener's salt, hex (query-commitment.ts). */
  readonly query_commitment: string;
  readonly day: string;
  readonly used_today: number;
  readonly at: string;
}

const encode = (value: object): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

export function queryEntry(f: { node: string; provider: string; caseId: string; query: CaseQuery; commitment: string; day: string; usedToday: number; at: Date }): LogEntryInput {
  const body: QueryEntryBody = {
    type: CASE_QUERY_KIND, node: f.node, provider: f.provider, case_id: f.caseId, epoch: f.query.epoch,
    tokens: f.query.tokens.length, templates: f.query.templates.length, query_commitment: f.commitment,
    day: f.day, used_today: f.usedToday, at: f.at.toISOString(),
  };
  return { kind: CASE_QUERY_KIND, ref: f.caseId, entry: encode(body) };
}

/** A logged query entry's body, as a reader of the log checks it. */
export function readQueryEntry(body: Uint8Array, where: string): QueryEntryBody {
  let x: Partial<QueryEntryBody>;
  try {
    x = JSON.parse(new TextDecoder().decode(body)) as Partial<QueryEntryBody>;
  } catch {
    throw new CordonError('INVALID_INPUT', `${where}: the log entry is not JSON`);
  }
  if (x?.type !== CASE_QUERY_KIND || typeof x.provider !== 'string' || typeof x.case_id !== 'string' || typeof x.query_commitment !== 'string') {
    throw new CordonError('INVALID_INPUT', `${where}: the log entry is not a ${CASE_QUERY_KIND} entry with a query commitment`);
  }
  return x as QueryEntryBody;
}

export function eventEntry(f: { node: string; provider: string; caseId: string; event: 'escalate' | 'close'; at: Date }): LogEntryInput {
  return {
    kind: CASE_EVENT_KIND,
    ref: f.caseId,
    entry: encode({ type: CASE_EVENT_KIND, node: f.node, provider: f.provider, case_id: f.caseId, event: f.event, at: f.at.toISOString() }),
  };
}
