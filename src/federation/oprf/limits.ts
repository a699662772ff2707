/**
 * Largest batch of blinded elements in one Evaluate call. 4,096 elements are
 * 130 KiB on the wire each way and about a second of one core at a node,
 * small enough that one provider's batch never starves the others' calls;
 * clients split larger batches.
 */
export const MAX_EVALUATE_BATCH = 4096;

/** How long a provider waits for one node's evaluation before asking another holder. */
export const EVALUATE_DEADLINE_MS = 20_000;

/** How long a provider waits for a node's key info (a node that is down must not hold up tokenization). */
export const KEY_INFO_DEADLINE_MS = 5_000;

/** Ceremony calls: sealing one sub-share per holder and checking every deal take a moment per holder. */
export const CEREMONY_DEADLINE_MS = 30_000;
