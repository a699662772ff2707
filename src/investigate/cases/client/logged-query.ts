import { setTimeout as sleep } from 'node:timers/promises';
import { decodeLogLeaf } from '../../../audit/log-leaf.js';
import type { LogClient } from '../../../audit/service/log-client.js';
import { verifyTreeHead } from '../../../audit/tree-head.js';
import { hashLeaf, verifyInclusion } from '../../../crypto/merkle/index.js';
import { CordonError } from '../../../errors.js';
import type { Membership } from '../../../federation/membership/membership.js';
import { CASE_QUERY_KIND, readQueryEntry } from '../log-entries.js';
import { commitQuery, readOpening } from '../query-commitment.js';

/** How long a reader waits for the node to sign a tree head covering a fresh entry: the log part signs within a second (transparency-log.ts), five times that. */
const HEAD_WAIT_MS = 5_000;
const HEAD_POLL_MS = 200;

/** An escalated query, opened and checked against the node's log. */
export interface CheckedQuery {
  readonly epoch: number;
  readonly tokens: { kind: number; value: Uint8Array }[];
  readonly templates: number;
  readonly logIndex: number;
  /** The signed tree head's size the entry was proven in. */
  readonly treeSize: number;
}

/**
 * The regulator's check of the query an opener reveals on escalation: the
 * entry at `log_index` is in the node's log (inclusion in a tree head signed
 * with the node's key from the manifest), is this case's query entry by the
 * opener, and its commitment opens to this salt and query. Anything else is
 * INVALID_SIGNATURE naming what does not hold.
 */
export async function checkLoggedQuery(log: LogClient, membership: Membership, bundled: unknown, expect: { caseId: string; opener: string }): Promise<CheckedQuery> {
  const where = `case ${expect.caseId}: the escalated query`;
  const refuse = (what: string) => new CordonError('INVALID_SIGNATURE', `${where}: ${what}`);
  const { opening, salt, query } = readOpening(bundled, where);
  if (opening.case_id !== expect.caseId) throw refuse(`is the opening of case '${opening.case_id}'`);
  if (opening.node !== log.peer.id) throw refuse(`is logged at '${opening.node}', but the case is read from '${log.peer.id}'`);
  const key = membership.activeKey(log.peer.id);
  if (!key) throw refuse(`'${log.peer.id}' has no active key in the manifest to check its log with`);
  const index = opening.log_index;
  const deadline = Date.now() + HEAD_WAIT_MS;
  let got = await log.treeHead();
  while (got.head.size <= index && Date.now() < deadline) {
    await sleep(HEAD_POLL_MS);
    got = await log.treeHead();
  }
  if (got.logId !== log.peer.id || got.head.kid !== log.peer.id) throw refuse(`the tree head names log '${got.logId}', key '${got.head.kid}'`);
  verifyTreeHead(got.head, key);
  if (got.head.size <= index) throw new CordonError('UNAVAILABLE', `${where}: log entry ${index} is not yet in a signed tree head of '${log.peer.id}' (size ${got.head.size}); try again`);
  const leaf = await log.leaf(index);
  try {
    verifyInclusion(hashLeaf(leaf), index, got.head.size, await log.inclusionProof(index, got.head.size), got.head.root);
  } catch (err) {
    throw refuse(`log entry ${index} is not in the signed tree of size ${got.head.size} (${(err as Error).message})`);
  }
  const entry = decodeLogLeaf(leaf, where);
  if (entry.kind !== CASE_QUERY_KIND || entry.ref !== expect.caseId) throw refuse(`log entry ${index} is a '${entry.kind}' entry about '${entry.ref}', not this case's query`);
  const body = readQueryEntry(entry.body, where);
  if (body.provider !== expect.opener || body.case_id !== expect.caseId) throw refuse(`log entry ${index} records a query by '${body.provider}' for case '${body.case_id}'`);
  if (body.query_commitment !== commitQuery(salt, query)) throw refuse(`the salt and query do not open the commitment in log entry ${index}: this is not the query the node logged`);
  return { epoch: query.epoch, tokens: query.tokens.map((t) => ({ kind: t.kind, value: Uint8Array.from(t.value) })), templates: query.templates.length, logIndex: index, treeSize: got.head.size };
}
