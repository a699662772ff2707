import { randomBytes } from 'node:crypto';
import { CordonError } from '../../errors.js';

/**
 * A case's lifecycle (pure): open → answered (first answer) → escalated (the
 * opener hands it to the regulator) → closed. Closing is possible from any
 * state but closed; nothing is added to a closed case.
 */
export const CASE_STATUSES = ['open', 'answered', 'escalated', 'closed'] as const;
export type CaseState = (typeof CASE_STATUSES)[number];
export type CaseEvent = 'answer' | 'decline' | 'escalate' | 'close';

const CASE_ID = /^cs-[0-9a-f]{32}$/;

export function newCaseId(): string {
  return `cs-${randomBytes(16).toString('hex')}`;
}

export function isCaseId(id: string): boolean {
  return CASE_ID.test(id);
}

export function nextState(state: CaseState, event: CaseEvent, caseId: string): CaseState {
  const refuse = (why: string) => new CordonError('INVALID_INPUT', `case ${caseId}: cannot ${event}: ${why}`);
  if (state === 'closed') throw refuse('the case is closed');
  switch (event) {
    case 'answer':
      if (state === 'escalated') throw refuse('the case is escalated to the regulator');
      return 'answered';
    case 'decline':
      if (state === 'escalated') throw refuse('the case is escalated to the regulator');
      return state;
    case 'escalate':
      if (state === 'escalated') throw refuse('the case is already escalated');
      return 'escalated';
    case 'close':
      return 'closed';
  }
}

/**
 * The state an asked provider is shown: the case as if it alone had been
 * asked. Another provider's answer moves the case to 'answered'; shown to
 * this one, that would say someone else holds what was queried, and a case
 * tells no participant who else was asked. Escalating and closing are the
 * opener's, and shown as they are.
 */
export function stateSeenByAsked(state: CaseState, ownResponse: 'answered' | 'declined' | null): CaseState {
  return state === 'answered' && ownResponse !== 'answered' ? 'open' : state;
}
