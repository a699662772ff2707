import type { Sql } from 'postgres';
import type { Logger } from '../../log.js';
import type { Membership } from '../../federation/membership/membership.js';
import type { Finding } from './finding.js';

/** What every witness check uses. */
export interface WitnessEnv {
  readonly sql: Sql;
  readonly membership: Membership;
  readonly logger: Logger;
  /** Stores a finding (or bumps a known one). */
  report(f: Finding): Promise<void>;
}
