/**
 * One line of `cordon doctor`'s checklist. `skip` means a check could not run
 * because one it depends on failed (no key: no signature to check); `warn`
 * is a problem that does not stop the node (a peer down, a clock drifting).
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export const pass = (check: string, detail: string): CheckResult => ({ check, status: 'pass', detail });
export const warn = (check: string, detail: string): CheckResult => ({ check, status: 'warn', detail });
export const fail = (check: string, detail: string): CheckResult => ({ check, status: 'fail', detail });
export const skip = (check: string, because: string): CheckResult => ({ check, status: 'skip', detail: `not checked: ${because}` });
