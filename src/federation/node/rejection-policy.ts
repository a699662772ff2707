import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

/** Marks the process once the policy is in place (a registry symbol: one mark however many copies of this module are loaded). */
const INSTALLED = Symbol.for('cordon.node.rejection-policy');

/**
 * The node process's policy for a promise rejection nobody handled: log it
 * (error level, with its stack) and keep serving. Node's default would end
 * the process (exit 1), and whoever finds a way to cause one (an HTTP request
 * took a regulator down that way) would then hold a switch that stops the
 * node for every member relying on it. A rejection nobody awaited is one
 * operation that failed with no one waiting on its result; the node's
 * writes are PostgreSQL transactions, committed whole or not at all, so it
 * leaves no half-written state behind. Synchronous exceptions
 * ('uncaughtException') keep Node's default, exit 1: one can leave memory
 * half-updated, and the supervisor restarts the node from its database.
 *
 * Installed by `cordon node start` only, never by startNode: a library
 * caller (tests, the demo) keeps its own policy. Idempotent: returns false
 * when the policy was in place already.
 */
export function installRejectionPolicy(log: Logger): boolean {
  const marks = process as unknown as Record<symbol, true | undefined>;
  if (marks[INSTALLED]) return false;
  marks[INSTALLED] = true;
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled promise rejection; the node keeps serving', {
      error: errorMessage(reason),
      ...(reason instanceof Error && reason.stack ? { stack: reason.stack } : {}),
    });
  });
  return true;
}
