import type fc from 'fast-check';
import type { Outcome } from './outcome.js';

/**
 * A fuzz target: one decoder or entry point that takes bytes (or text) from
 * someone who may be hostile. `prepare` builds its fixtures once (keys, a
 * manifest, a temporary directory) and returns the input generator and the
 * check of one input; the harness (run-target.ts) turns that into a
 * fast-check property with a per-case time limit.
 *
 * The contract every `check` enforces (see outcome.ts): the input is either
 * accepted with a result that satisfies the target's own invariants, or
 * refused with a clear error (a CordonError of an expected code with a
 * message, or a TAXII 400); any other exception fails the property, and for
 * stateful entry points a refusal must leave the state as it was.
 */
export interface FuzzTarget<T = unknown> {
  readonly name: string;
  /** What the target exercises, for the runner's listing. */
  readonly covers: string;
  prepare(): Promise<PreparedTarget<T>>;
}

export interface PreparedTarget<T> {
  readonly arbitrary: fc.Arbitrary<T>;
  /** Checks one input; returns its outcome ('accepted' or the refusal's code) for the tally. */
  check(input: T): Outcome | Promise<Outcome>;
  close?(): Promise<void>;
}

/** Keeps a target's input type inside its file while lists of targets stay uniform. */
export const defineTarget = <T>(target: FuzzTarget<T>): FuzzTarget => target as unknown as FuzzTarget;

/** Wraps a prepared target so its input type is inferred from its arbitrary (and `check` gets it). */
export const prepared = <T>(target: PreparedTarget<T>): PreparedTarget<T> => target;
