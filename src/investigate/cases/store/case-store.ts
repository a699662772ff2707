import type { Sql, TransactionSql } from 'postgres';
import type { CaseState } from '../lifecycle.js';

type Tx = TransactionSql | Sql;

/**
 * Cases at a consortium node. Messages are stored as the JWE ciphertext the
 * participants sent, with the member ids each is addressed to; nothing here
 * can be read by the node.
 */
export type ParticipantRole = 'opener' | 'asked' | 'regulator';
export type MessageKind = 'purpose' | 'answer' | 'escalation';

export interface CaseRow {
  case_id: string;
  opener: string;
  status: CaseState;
  opened_at: Date;
  updated_at: Date;
}

export interface ParticipantRow extends CaseRow {
  /** The member's own cursor (its n-th case at this node), never the table's global sequence. */
  cursor: string;
  member_id: string;
  role: ParticipantRole;
  own_record_ids: string[];
  response: 'answered' | 'declined' | null;
}

export interface MessageRow {
  kind: MessageKind;
  sender: string;
  recipients: string[];
  jwe: string;
  at: Date;
}

export async function insertCase(tx: Tx, c: { caseId: string; opener: string }): Promise<void> {
  await tx`INSERT INTO investigation_cases (case_id, opener, status) VALUES (${c.caseId}, ${c.opener}, 'open')`;
}

/** Key space of the per-member advisory locks that serialize cursor assignment (arbitrary, fixed; two-key locks never meet one-key ones). */
const CURSOR_LOCK_SPACE = 0x63617365;

/**
 * Adds participants, each at the next cursor of its own listing. A member's
 * cursor counts only its own cases: a global sequence would step by the
 * number of participants of every case in between, and the step after an
 * opener's case would count the providers it asked (never tell the opener
 * who was asked). The members' locks (taken in key order, so two
 * transactions cannot deadlock) are held to commit: a member's cursors are
 * unique and follow commit order, so a listing resumed after a cursor
 * misses nothing. One statement whatever the number of rows.
 */
export async function insertParticipants(tx: Tx, caseId: string, rows: readonly { member: string; role: ParticipantRole; ownRecordIds?: readonly string[] }[]): Promise<void> {
  if (rows.length === 0) return;
  const members = rows.map((r) => r.member);
  await tx`SELECT pg_advisory_xact_lock(${CURSOR_LOCK_SPACE}, k) FROM (SELECT DISTINCT hashtext(m) AS k FROM unnest(${members}::text[]) AS m ORDER BY k) keys`;
  const json = tx.json(rows.map((r) => ({ member: r.member, role: r.role, own: [...(r.ownRecordIds ?? [])] })));
  await tx`
    INSERT INTO investigation_participants (case_id, member_id, role, own_record_ids, member_cursor)
    SELECT ${caseId}, r->>'member', r->>'role', ARRAY(SELECT jsonb_array_elements_text(r->'own')),
           coalesce((SELECT max(p.member_cursor) FROM investigation_participants p WHERE p.member_id = r->>'member'), 0) + 1
    FROM jsonb_array_elements(${json}) AS r
    ON CONFLICT (case_id, member_id) DO NOTHING`;
}

export async function insertMessage(tx: Tx, caseId: string, m: { kind: MessageKind; sender: string; recipients: readonly string[]; jwe: string }): Promise<void> {
  await tx`INSERT INTO investigation_messages (case_id, kind, sender, recipients, jwe) VALUES (${caseId}, ${m.kind}, ${m.sender}, ${[...m.recipients]}, ${m.jwe})`;
}

export async function setStatus(tx: Tx, caseId: string, status: CaseState): Promise<void> {
  await tx`UPDATE investigation_cases SET status = ${status}, updated_at = now() WHERE case_id = ${caseId}`;
}

export async function setResponse(tx: Tx, caseId: string, member: string, response: 'answered' | 'declined'): Promise<void> {
  await tx`UPDATE investigation_participants SET response = ${response} WHERE case_id = ${caseId} AND member_id = ${member}`;
}

/** The caller's participation in a case (locked FOR UPDATE inside a transaction), or undefined when it takes no part. */
export async function participation(tx: Tx, caseId: string, member: string, lock = false): Promise<ParticipantRow | undefined> {
  const rows = lock
    ? await tx<ParticipantRow[]>`
        SELECT p.member_cursor AS cursor, p.member_id, p.role, p.own_record_ids, p.response, c.case_id, c.opener, c.status, c.opened_at, c.updated_at
        FROM investigation_participants p JOIN investigation_cases c USING (case_id)
        WHERE p.case_id = ${caseId} AND p.member_id = ${member} FOR UPDATE OF c`
    : await tx<ParticipantRow[]>`
        SELECT p.member_cursor AS cursor, p.member_id, p.role, p.own_record_ids, p.response, c.case_id, c.opener, c.status, c.opened_at, c.updated_at
        FROM investigation_participants p JOIN investigation_cases c USING (case_id)
        WHERE p.case_id = ${caseId} AND p.member_id = ${member}`;
  return rows[0];
}

/** The member's cases after `cursor`, in cursor order. */
export async function participationsAfter(tx: Tx, member: string, cursor: bigint, limit: number): Promise<ParticipantRow[]> {
  return tx<ParticipantRow[]>`
    SELECT p.member_cursor AS cursor, p.member_id, p.role, p.own_record_ids, p.response, c.case_id, c.opener, c.status, c.opened_at, c.updated_at
    FROM investigation_participants p JOIN investigation_cases c USING (case_id)
    WHERE p.member_id = ${member} AND p.member_cursor > ${cursor.toString()} ORDER BY p.member_cursor LIMIT ${limit}`;
}

/** Messages of a case addressed to `member`, oldest first. */
export async function messagesFor(tx: Tx, caseId: string, member: string): Promise<MessageRow[]> {
  return tx<MessageRow[]>`
    SELECT kind, sender, recipients, jwe, at FROM investigation_messages
    WHERE case_id = ${caseId} AND ${member} = ANY(recipients) ORDER BY seq`;
}
