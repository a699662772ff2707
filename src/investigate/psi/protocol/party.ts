import type { KeyObject } from 'node:crypto';
import type { SignedPsiSummary } from '../../../gen/cordon/v1/psi_pb.js';
import type { ModeName } from './modes.js';

/** What both roles are given: who they are, who the peer is, and how to report progress. */
export interface PartyOptions {
  /** This node: its id and Ed25519 identity key (signs the summary). */
  readonly self: { readonly id: string; readonly key: KeyObject };
  /** The peer, as the membership manifest lists it. */
  readonly peer: { readonly id: string; readonly publicKey: KeyObject };
  /** Silence from the peer longer than this fails the session (default IDLE_TIMEOUT_MS). */
  readonly idleTimeoutMs?: number;
  readonly now?: () => number;
  readonly onProgress?: (progress: PsiProgress) => void;
}

/** Values of one list processed so far: `own` = this party's elements blinded and sent, `peer` = the peer's points blinded again. */
export interface PsiProgress {
  readonly list: 'own' | 'peer';
  readonly done: number;
  readonly total: number;
}

/** A finished session as one party saw it; only ever returned once the whole protocol completed. */
export interface PsiOutcome {
  readonly mode: ModeName;
  readonly sessionId: Uint8Array;
  readonly ownSetSize: number;
  readonly peerSetSize: number;
  /** This party's elements that are in the intersection, when the mode lets this party learn them. */
  readonly intersection?: readonly string[];
  /** |X ∩ Y|, when the mode lets this party learn it. */
  readonly intersectionSize?: number;
  /** The summary with both parties' signatures, ready for the transparency log. */
  readonly signed: SignedPsiSummary;
}
