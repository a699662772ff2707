import { MATCH_THRESHOLD } from '../crypto/minhash.js';
import { TOKEN_KIND_CODES } from '../crypto/prf/token-prf.js';
import type { MatchPolicy } from '../federation/membership/schema.js';

/** The matching rules a node applies, compiled from the manifest's policy. */
export interface MatchRules {
  /** Token kind codes whose equality links records. */
  readonly linkKinds: ReadonlySet<number>;
  readonly quarantineRecords: number;
  readonly templateThreshold: number;
}

export function compileRules(policy: MatchPolicy): MatchRules {
  return {
    linkKinds: new Set(policy.link_kinds.map((k) => TOKEN_KIND_CODES[k])),
    quarantineRecords: policy.quarantine_records,
    templateThreshold: MATCH_THRESHOLD,
  };
}
