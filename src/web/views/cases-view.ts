import { join } from 'node:path';
import type { Sql } from 'postgres';
import { ENC_KEY_FILE, readEncryptionKey } from '../../crypto/encryption-key.js';
import { errorMessage } from '../../errors.js';
import { CaseRole, CaseStatus } from '../../gen/cordon/v1/investigations_pb.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import type { Membership } from '../../federation/membership/membership.js';
import type { Role } from '../../federation/membership/schema.js';
import { CaseClient } from '../../investigate/cases/client/case-client.js';

export interface CaseEventView { at: string; kind: string; detail: string }
export interface CaseView { id: string; status: string; opener: string; role: string; held_at: string; opened: string; timeline: CaseEventView[] }
export interface CasesView { available: boolean; note: string; cases: CaseView[]; unreachable: string[] }

/** Cases listed per consortium node: the console shows recent work, not an archive. */
const CASES_SHOWN = 100;
const iso = (ms: number | bigint) => new Date(Number(ms)).toISOString();
const lower = (s: string | undefined) => (s ?? 'unknown').toLowerCase();

/**
 * Investigation cases as the role may see them:
 * - provider and regulator: through each consortium node's
 *   InvestigationService as themselves (the cases they opened, were asked in,
 *   or — the regulator — were escalated to), decrypted with the node's own
 *   encryption key; answers' signatures are verified by the case client;
 * - consortium: the cases it relays, as metadata only (who sent what kind of
 *   message when): the messages are ciphertext it cannot read.
 */
export async function memberCases(env: { self: Identity; dir: string; membership: Membership; peers: () => Peer[] }): Promise<CasesView> {
  let encKey;
  try {
    encKey = await readEncryptionKey(join(env.dir, ENC_KEY_FILE));
  } catch (err) {
    return { available: false, note: `Cases need this node's encryption key: ${errorMessage(err)}`, cases: [], unreachable: [] };
  }
  const cases: CaseView[] = [];
  const unreachable: string[] = [];
  for (const peer of env.peers()) {
    const client = new CaseClient(env.self, encKey, env.membership, peer);
    try {
      for (const summary of (await client.list(0n, CASES_SHOWN))) {
        const timeline: CaseEventView[] = [{ at: iso(summary.openedMs), kind: 'opened', detail: `by ${summary.opener}` }];
        const read = await client.read(summary.caseId).catch(() => undefined);
        if (read?.purpose) timeline.push({ at: iso(summary.openedMs), kind: 'purpose', detail: read.purpose });
        for (const a of [...(read?.answers ?? []), ...(read?.escalation?.answers ?? [])].sort((x, y) => x.iat - y.iat)) {
          timeline.push({
            at: iso(a.iat * 1000), kind: 'answer',
            detail: `from ${a.from} (signature verified): ${a.linked_accounts} linked accounts${a.labels.length ? `, ${a.labels.join(', ')}` : ''}${a.first_seen ? `, first seen ${a.first_seen}` : ''}${a.volume_band ? `, volume ${a.volume_band}` : ''}`,
          });
        }
        if (summary.status !== CaseStatus.OPEN) timeline.push({ at: iso(summary.updatedMs), kind: lower(CaseStatus[summary.status]), detail: '' });
        cases.push({
          id: summary.caseId, status: lower(CaseStatus[summary.status]), opener: summary.opener, role: lower(CaseRole[summary.role]),
          held_at: peer.id, opened: iso(summary.openedMs), timeline,
        });
      }
    } catch (err) {
      unreachable.push(`${peer.id}: ${errorMessage(err)}`);
    } finally {
      client.closeChannel();
    }
  }
  cases.sort((a, b) => b.opened.localeCompare(a.opened));
  return { available: true, note: 'Cases this node opened, was asked in or was escalated to; what is shown was decrypted here.', cases, unreachable };
}

export async function relayedCases(sql: Sql, self: string): Promise<CasesView> {
  const rows = await sql<{ case_id: string; opener: string; status: string; opened_at: Date; updated_at: Date }[]>`
    SELECT case_id, opener, status, opened_at, updated_at FROM investigation_cases ORDER BY opened_at DESC LIMIT ${CASES_SHOWN}`;
  const messages = rows.length === 0 ? [] : await sql<{ case_id: string; kind: string; sender: string; recipients: string[]; at: Date }[]>`
    SELECT case_id, kind, sender, recipients, at FROM investigation_messages WHERE case_id = ANY(${rows.map((r) => r.case_id)}::text[]) ORDER BY seq`;
  return {
    available: true, unreachable: [],
    note: 'Cases this node relays. Their messages are encrypted to the participants: this node sees who sent what kind of message, never its content.',
    cases: rows.map((r) => ({
      id: r.case_id, status: r.status, opener: r.opener, role: 'relay', held_at: self, opened: r.opened_at.toISOString(),
      timeline: [
        { at: r.opened_at.toISOString(), kind: 'opened', detail: `by ${r.opener}` },
        ...messages.filter((m) => m.case_id === r.case_id).map((m) => ({ at: m.at.toISOString(), kind: m.kind, detail: `from ${m.sender} to ${m.recipients.join(', ')} (encrypted)` })),
      ],
    })),
  };
}

export function casesView(env: { role: Role; sql: Sql; self: Identity; dir: string; membership: Membership; peers: () => Peer[] }): () => Promise<CasesView> {
  return env.role === 'consortium' ? () => relayedCases(env.sql, env.self.id) : () => memberCases(env);
}
