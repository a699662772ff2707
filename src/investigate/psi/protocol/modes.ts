import { PsiMode } from '../../../gen/cordon/v1/psi_pb.js';
import { CordonError } from '../../../errors.js';

/**
 * The three modes and what each lets a party learn beyond both set sizes.
 * The protocol derives every mode-dependent choice from this table, so what a
 * mode promises and what its messages carry cannot drift apart.
 */
export type ModeName = 'both' | 'one' | 'size';

export interface Disclosure {
  /** The initiator learns which of its elements are in the intersection (else only how many). */
  readonly initiatorLearnsElements: boolean;
  /** The responder learns which of its elements are in the intersection (else nothing). */
  readonly responderLearnsElements: boolean;
}

export const DISCLOSURE: Readonly<Record<ModeName, Disclosure>> = {
  both: { initiatorLearnsElements: true, responderLearnsElements: true },
  one: { initiatorLearnsElements: true, responderLearnsElements: false },
  size: { initiatorLearnsElements: false, responderLearnsElements: false },
};

const BY_NAME: Readonly<Record<ModeName, PsiMode>> = { both: PsiMode.BOTH, one: PsiMode.ONE, size: PsiMode.SIZE };

export function modeOf(name: string): PsiMode {
  const mode = BY_NAME[name as ModeName];
  if (mode === undefined) throw new CordonError('INVALID_INPUT', `PSI mode '${name}' is not one of ${Object.keys(BY_NAME).join(', ')}`);
  return mode;
}

export function modeName(mode: PsiMode): ModeName {
  const name = (Object.keys(BY_NAME) as ModeName[]).find((n) => BY_NAME[n] === mode);
  if (!name) throw new CordonError('INVALID_INPUT', `PSI mode ${mode} is not one of ${Object.keys(BY_NAME).join(', ')}`);
  return name;
}

export function disclosureOf(mode: PsiMode): Disclosure {
  return DISCLOSURE[modeName(mode)];
}
