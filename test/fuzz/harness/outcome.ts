import { CordonError, type CordonErrorCode } from '../../../src/errors.js';
import { TaxiiError } from '../../../src/regulator/taxii/taxii-error.js';

/**
 * The one rule of hostile input: a clear error or a valid result. A refusal
 * is clear when it is a CordonError of one of the codes the entry point is
 * documented to use (so a TypeError deep in a parser, or an INTERNAL where
 * the caller should hear INVALID_INPUT, fails), with a message that says
 * something. TAXII answers with its own error type (an HTTP 400 body).
 */
export class FuzzViolation extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FuzzViolation';
  }
}

/** Shortest message that can name what was wrong and where ('x: y'). */
const MIN_MESSAGE_CHARS = 4;

export type Refusal = { kind: 'cordon'; codes: readonly CordonErrorCode[] } | { kind: 'taxii' };

export function assertClearRefusal(err: unknown, allowed: Refusal): void {
  if (err instanceof FuzzViolation) throw err;
  if (allowed.kind === 'cordon' && err instanceof CordonError) {
    if (!allowed.codes.includes(err.code)) throw new FuzzViolation(`refused with code ${err.code}, expected one of ${allowed.codes.join(', ')}: ${err.message}`, { cause: err });
    if (err.message.trim().length < MIN_MESSAGE_CHARS) throw new FuzzViolation(`refused with an empty message (code ${err.code})`, { cause: err });
    return;
  }
  if (allowed.kind === 'taxii' && err instanceof TaxiiError) {
    if (err.status !== 400) throw new FuzzViolation(`TAXII refusal with status ${err.status}, expected 400: ${err.description}`, { cause: err });
    if (err.description.trim().length < MIN_MESSAGE_CHARS) throw new FuzzViolation('TAXII refusal with an empty description', { cause: err });
    return;
  }
  const what = err instanceof Error ? `${err.name}: ${err.message}` : `a thrown ${typeof err} (${String(err)})`;
  throw new FuzzViolation(`crashed instead of a clear refusal: ${what}`, { cause: err });
}

/**
 * What became of one case, for the runner's tally: 'accepted', or the
 * refusal's code. A target whose tally shows no 'accepted' is not reaching
 * deep enough to be worth its cases.
 */
export type Outcome = string;

function refusalLabel(err: unknown): Outcome {
  return err instanceof TaxiiError ? `taxii-${err.status}` : (err as { code: string }).code;
}

/** Runs `fn`; its result is checked by `valid`, its refusal by assertClearRefusal. */
export function outcomeOf<R>(fn: () => R, allowed: Refusal, valid?: (result: R) => void): Outcome {
  let result: R;
  try {
    result = fn();
  } catch (err) {
    assertClearRefusal(err, allowed);
    return refusalLabel(err);
  }
  valid?.(result);
  return 'accepted';
}

export async function asyncOutcomeOf<R>(fn: () => Promise<R>, allowed: Refusal, valid?: (result: R) => void | Promise<void>): Promise<Outcome> {
  let result: R;
  try {
    result = await fn();
  } catch (err) {
    assertClearRefusal(err, allowed);
    return refusalLabel(err);
  }
  await valid?.(result);
  return 'accepted';
}

/** An invariant of an accepted input; fails the case with `what` when `ok` is false. */
export function invariant(ok: boolean, what: string): void {
  if (!ok) throw new FuzzViolation(`accepted input breaks an invariant: ${what}`);
}

/** For stateful entry points: a refused input must leave the state as it was. */
export function stateUnchanged(ok: boolean, what: string): void {
  if (!ok) throw new FuzzViolation(`a refused input changed state: ${what}`);
}
