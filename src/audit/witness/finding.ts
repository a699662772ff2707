import type { SignedTreeHead } from '../tree-head.js';

/**
 * What the regulator's witness can find (DESIGN.md §7):
 * - rollback: a log now presents a smaller tree than a head it signed before.
 * - fork: a log presents a tree that does not extend a head it signed before
 *   (a failed or refused consistency proof, or a second root for one size).
 * - split_view: a log showed someone else (gossip) a signed head that does
 *   not fit the tree it shows the witness.
 * - bad_entries: a log's entries do not hash to the root it signed.
 * - equivocation: a provider signed two different batches at one sequence
 *   number (both signatures verified by the witness itself).
 * - unlogged_batch: a consortium node reported a batch as accepted, and its
 *   log still did not hold it 10 s later.
 */
export const FINDING_KINDS = ['rollback', 'fork', 'split_view', 'bad_entries', 'equivocation', 'unlogged_batch'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  readonly kind: FindingKind;
  /** Names the finding uniquely within its kind: seeing it again updates it instead of adding one. */
  readonly subject: string;
  readonly logId?: string;
  readonly providerId?: string;
  readonly detail: string;
  /** Signed heads, proofs, digests: enough for anyone to check the finding without trusting the witness. */
  readonly evidence: Record<string, unknown>;
}

export interface StoredFinding extends Finding {
  readonly id: number;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly seen: number;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** A signed head as evidence (JSON): what a third party needs to verify its signature. */
export function headEvidence(logId: string, h: SignedTreeHead): Record<string, unknown> {
  return { log_id: logId, size: h.size, root: b64(h.root), timestamp_ms: h.timestamp, kid: h.kid, signature: h.signature };
}

export function proofEvidence(proof: readonly Uint8Array[]): string[] {
  return proof.map(b64);
}
