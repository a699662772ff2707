/**
 * Whether an error means "the database is not reachable right now" rather
 * than "this request is wrong" or "this code is wrong": the connection was
 * refused, lost or timed out, or the server is shutting down, restarting or
 * recovering. Such a failure changes nothing (the transaction did not commit)
 * and is worth retrying, so callers answer UNAVAILABLE, not INTERNAL.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return false;
  return CONNECTION_CODES.has(code) || SQLSTATE_UNAVAILABLE.some((prefix) => code.startsWith(prefix));
}

/** postgres.js's own connection errors, and the socket errors it passes through. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
]);

/**
 * SQLSTATEs (PostgreSQL Appendix A): class 08, connection exception; 57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up
 * or in recovery); 53300 too_many_connections.
 */
const SQLSTATE_UNAVAILABLE = ['08', '57P01', '57P02', '57P03', '53300'];
