/** Bounds and defaults of the PSI protocol; each names what it guards. */

/** Protocol version in PsiHello and PsiSummary. */
export const PSI_VERSION = 1;

/** The largest set either party may bring (issue 6: sets of up to 10,000,000 elements). */
export const MAX_SET_SIZE = 10_000_000;

/**
 * Points per chunk message: 4,096 × 32 bytes = 128 KiB, far below the gRPC
 * message limit, large enough that per-message overhead is noise, small
 * enough that flow control paces the sender finely.
 */
export const CHUNK_POINTS = 4096;

/** Session ids are 16 random bytes. */
export const SESSION_ID_BYTES = 16;

/**
 * A peer that sends nothing for this long is treated as gone: the session
 * fails with UNAVAILABLE rather than waiting for the stream's deadline. Both
 * parties stream their lists as they compute them, so an honest peer's longest
 * silence is one chunk's work behind a full queue or sorting a 10M list:
 * seconds, not minutes.
 */
export const IDLE_TIMEOUT_MS = 120_000;

/** The whole session's deadline: 10M × 10M on two shared cores takes about half of it. */
export const SESSION_DEADLINE_MS = 60 * 60_000;

/** The initiator's clock and the responder's may differ by this much (the summary carries both parties' view of time). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
