import type { Role } from '../../src/federation/membership/schema.js';
import type { ConsoleViews } from '../../src/web/console-routes.js';

/** Console views over nothing: for tests of the console's HTTP handling, not of what it shows. */
export function emptyConsoleViews(role: Role): ConsoleViews {
  return {
    role,
    campaigns: { list: async () => [], detail: async () => undefined },
    alerts: async () => ({ alerts: [] }),
    cases: async () => ({ cases: [] }),
    audit: async () => ({ audit: [] }),
    reports: async () => ({ reports: [] }),
    health: async () => ({ ok: true }),
  };
}
