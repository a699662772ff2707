import { create } from '@bufbuild/protobuf';
import { CaseMessageKind, CaseMessageSchema, CaseRole, CaseStatus, CaseSummarySchema, type CaseMessage, type CaseSummary } from '../../../gen/cordon/v1/investigations_pb.js';
import { entryFor } from '../envelope.js';
import { stateSeenByAsked, type CaseState } from '../lifecycle.js';
import type { MessageKind, MessageRow, ParticipantRole, ParticipantRow } from '../store/case-store.js';

const STATUS: Record<CaseState, CaseStatus> = { open: CaseStatus.OPEN, answered: CaseStatus.ANSWERED, escalated: CaseStatus.ESCALATED, closed: CaseStatus.CLOSED };
const ROLE: Record<ParticipantRole, CaseRole> = { opener: CaseRole.OPENER, asked: CaseRole.ASKED, regulator: CaseRole.REGULATOR };
const KIND: Record<MessageKind, CaseMessageKind> = { purpose: CaseMessageKind.PURPOSE, answer: CaseMessageKind.ANSWER, escalation: CaseMessageKind.ESCALATION };

export const statusMessage = (s: CaseState): CaseStatus => STATUS[s];

/**
 * A case as one participant may see it: asked providers see their own
 * matching records; nobody sees who else was asked. An asked provider sees
 * the state as if it alone had been asked (lifecycle.ts), and the case as
 * last updated when it was opened until the opener escalates or closes it:
 * the time of another provider's answer would say that there is one.
 */
export function summaryMessage(p: ParticipantRow): CaseSummary {
  const status = p.role === 'asked' ? stateSeenByAsked(p.status, p.response) : p.status;
  const updated = p.role === 'asked' && (status === 'open' || status === 'answered') ? p.opened_at : p.updated_at;
  return create(CaseSummarySchema, {
    caseId: p.case_id, cursor: BigInt(p.cursor), opener: p.opener, status: STATUS[status], role: ROLE[p.role],
    openedMs: BigInt(p.opened_at.getTime()), updatedMs: BigInt(updated.getTime()),
    ownRecordIds: p.role === 'asked' ? p.own_record_ids : [], responded: p.response !== null,
  });
}

/** A message as `reader` receives it: only its own recipient entry (envelope.ts: the entries would name the other readers). */
export function caseMessage(m: MessageRow, reader: string): CaseMessage {
  return create(CaseMessageSchema, { kind: KIND[m.kind], sender: m.sender, atMs: BigInt(m.at.getTime()), jwe: entryFor(m.jwe, reader, `case message from ${m.sender}`) });
}
