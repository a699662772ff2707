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

export async function insertParticipants(tx: Tx, caseId: string, rows: readonly { member: string; role: ParticipantRole; ownRecordIds?: readonly string[] }[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`INSERT INTO investigation_participants ${tx(rows.map((r) => ({ case_id: caseId, member_id: r.member, role: r.role, own_record_ids: [...(r.ownRecordIds ?? [])] })))}
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
        SELECT p.cursor, p.member_id, p.role, p.own_record_ids, p.response, c.case_id, c.opener, c.status, c.opened_at, c.updated_at
        FROM investigation_participants p JOIN investigation_cases c USING (case_id)
        WHERE p.case_id = ${caseId} AND p.member_id = ${member} FOR UPDATE OF c`
    : await tx<ParticipantRow[]>`
        SELECT p.cursor, p.member_id, p.role, p.own_record_ids, p.response, c.case_id, c.opener, c.status, c.opened_at, c.updated_at
        FROM investigation_participants p JOIN investigation_cases c USING (case_id)
        WHERE p.case_id = ${caseId} AND p.member_id = ${member}`;
  return rows[0];
}

/** The member's cases after `cursor`, in cursor order. */
export async function participationsAfter(tx: Tx, member: string, cursor: bigint, limit: number): Promise<ParticipantRow[]> {
  return tx<ParticipantRow[]>`
    SELECT p.cursor, p.member_id, p.role, p.own_record_ids, p.response, c.case_id, c.opener, c.status, c.opened_at, c.updated_at
    FROM investigation_participants p JOIN investigation_cases c USING (case_id)
    WHERE p.member_id = ${member} AND p.cursor > ${cursor.toString()} ORDER BY p.cursor LIMIT ${limit}`;
}

/** Messages of a case addressed to `member`, oldest first. */
export async function messagesFor(tx: Tx, caseId: string, member: string): Promise<MessageRow[]> {
  return tx<MessageRow[]>`
    SELECT kind, sender, recipients, jwe, at FROM investigation_messages
    WHERE case_id = ${caseId} AND ${member} = ANY(recipients) ORDER BY seq`;
}
