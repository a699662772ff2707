import { create } from '@bufbuild/protobuf';
import { CaseMessageKind, CaseMessageSchema, CaseRole, CaseStatus, CaseSummarySchema, type CaseMessage, type CaseSummary } from '../../../gen/cordon/v1/investigations_pb.js';
import type { CaseState } from '../lifecycle.js';
import type { MessageKind, MessageRow, ParticipantRole, ParticipantRow } from '../store/case-store.js';

const STATUS: Record<CaseState, CaseStatus> = { open: CaseStatus.OPEN, answered: CaseStatus.ANSWERED, escalated: CaseStatus.ESCALATED, closed: CaseStatus.CLOSED };
const ROLE: Record<ParticipantRole, CaseRole> = { opener: CaseRole.OPENER, asked: CaseRole.ASKED, regulator: CaseRole.REGULATOR };
const KIND: Record<MessageKind, CaseMessageKind> = { purpose: CaseMessageKind.PURPOSE, answer: CaseMessageKind.ANSWER, escalation: CaseMessageKind.ESCALATION };

export const statusMessage = (s: CaseState): CaseStatus => STATUS[s];

/** A case as one participant may see it: asked providers see their own matching records; nobody sees who else was asked. */
export function summaryMessage(p: ParticipantRow): CaseSummary {
  return create(CaseSummarySchema, {
    caseId: p.case_id, cursor: BigInt(p.cursor), opener: p.opener, status: STATUS[p.status], role: ROLE[p.role],
    openedMs: BigInt(p.opened_at.getTime()), updatedMs: BigInt(p.updated_at.getTime()),
    ownRecordIds: p.role === 'asked' ? p.own_record_ids : [], responded: p.response !== null,
  });
}

export function caseMessage(m: MessageRow): CaseMessage {
  return create(CaseMessageSchema, { kind: KIND[m.kind], sender: m.sender, atMs: BigInt(m.at.getTime()), jwe: m.jwe });
}
