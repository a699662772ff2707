/** Bounds on what a node accepts; each guards memory or a database limit. */

/** Records per batch: keeps one batch's COPY and its decode well under a second. */
export const MAX_RECORDS_PER_BATCH = 10_000;
/** Bytes of one serialized batch; gRPC messages are capped just above it. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** gRPC message limit: a batch plus its envelope. */
export const MAX_GRPC_MESSAGE_BYTES = MAX_BATCH_BYTES + 64 * 1024;
export const MAX_TOKENS_PER_RECORD = 64;
export const MAX_LABELS_PER_RECORD = 32;
export const MAX_RETRACTIONS_PER_BATCH = 10_000;
/** A directly published batch may be this far from the node's clock. Replicated batches are exempt: they can be old. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
export const TOKEN_BYTES = 32;
export const DIGEST_BYTES = 32;
export const GENESIS_DIGEST = new Uint8Array(DIGEST_BYTES);
/** Record ids are provider-local and opaque; this alphabet needs no escaping anywhere. */
export const RECORD_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const LABEL = /^[a-z0-9_.:-]{1,64}$/;
/** Batches a FetchBatches call streams when the caller sets no limit. */
export const DEFAULT_FETCH_LIMIT = 1000;

/**
 * Equivocation evidence a node keeps per provider, over all sequence numbers.
 * The first conflicting batch at a sequence number already proves the
 * equivocation (one per (provider, seq): the equivocations table's key,
 * migration 009); a handful more show a pattern rather than a one-off. Past
 * that, evidence adds no proof, only lets the equivocating provider spend the
 * node's disk (up to MAX_BATCH_BYTES a row): 16 rows bound it at 128 MiB.
 */
export const MAX_EVIDENCE_PER_PROVIDER = 16;
/**
 * Bytes of equivocation evidence in one ListEquivocations page. A page always
 * carries at least one entry, and one entry is at most a batch, its signature
 * and a few ids: under the gRPC message limit (a batch plus a 64 KiB envelope).
 */
export const MAX_EQUIVOCATION_PAGE_BYTES = MAX_BATCH_BYTES;
/** Entries a ListEquivocations page holds when the caller sets no page size, and at most. */
export const DEFAULT_EQUIVOCATION_PAGE = 64;
export const MAX_EQUIVOCATION_PAGE = 1_000;
