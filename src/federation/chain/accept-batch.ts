import type { Sql } from 'postgres';
import { CordonError } from '../../errors.js';
import { parseDetached, verifyDetached } from '../../crypto/detached-jws.js';
import {
  applyRetractions,
  batchDigestAt,
  copyBinary,
  insertBatch,
  insertEquivocation,
  lockHead,
  RECORD_COLUMNS,
  setHead,
} from '../../store/chain-store.js';
import type { Membership } from '../membership/membership.js';
import { CordonErrorWithTrailers } from '../grpc/status.js';
import { BATCH_SIGNATURE_TYP, batchDigest, hex, sameBytes } from './digest.js';
import { GENESIS_DIGEST, MAX_BATCH_BYTES, MAX_EVIDENCE_PER_PROVIDER } from './limits.js';
import { decodeBatchForCommit, type DecodedBatch } from './batch-wire.js';

/**
 * The acceptance pipeline of a consortium (or regulator) node: one signed
 * batch in, committed (or refused with nothing stored) out.
 *
 * Contract: the returned promise must not resolve until the batch is durably
 * committed; a resend of a held batch resolves as a duplicate without
 * changing anything; a gap or fork is refused with the node's head; a
 * different, validly signed batch at a held sequence number is refused, and
 * kept as evidence only within the bounds of limits.ts: one per (provider,
 * seq), MAX_EVIDENCE_PER_PROVIDER per provider.
 */
export interface SignedBatchBytes { batch: Uint8Array; signature: string }

export interface VerifiedBatch {
  /** The batch's header, ids and its records already encoded as `records` rows (one pass over the signed bytes). */
  readonly batch: DecodedBatch;
  readonly bytes: Uint8Array;
  readonly signature: string;
  readonly digest: Uint8Array;
}

export interface AcceptOptions {
  /** The node that handed us the batch (the provider itself, or a peer when replicating). */
  readonly receivedFrom: string;
  /** Direct publications must be fresh; replicated history need not be. */
  readonly checkSkew: boolean;
  readonly now?: number;
}

export type AcceptOutcome = 'accepted' | 'duplicate';
export interface AcceptResult { outcome: AcceptOutcome; seq: bigint; digest: Uint8Array; verified: VerifiedBatch }

/** Headers that carry a node's chain head on a FAILED_PRECONDITION (gap) answer. */
export const HEAD_SEQ_TRAILER = 'cordon-head-seq';
export const HEAD_DIGEST_TRAILER = 'cordon-head-digest';

/** Verifies the signature over the exact bytes, then decodes and checks the content. Pure CPU, no I/O. */
export function verifySignedBatch(signed: SignedBatchBytes, membership: Membership, opts: Pick<AcceptOptions, 'checkSkew' | 'now'>): VerifiedBatch {
  if (signed.batch.length === 0) throw new CordonError('INVALID_INPUT', 'batch: empty');
  if (signed.batch.length > MAX_BATCH_BYTES) throw new CordonError('INVALID_INPUT', `batch: ${signed.batch.length} bytes exceeds the ${MAX_BATCH_BYTES}-byte limit`);
  const jws = parseDetached(signed.signature, 'batch signature', BATCH_SIGNATURE_TYP);
  const signer = membership.member(jws.header.kid);
  if (!signer) throw new CordonError('PERMISSION_DENIED', `batch signature: '${jws.header.kid}' is not a member`);
  if (signer.status !== 'active') throw new CordonError('PERMISSION_DENIED', `batch signature: member '${signer.id}' is ${signer.status}`);
  if (signer.role !== 'provider') throw new CordonError('PERMISSION_DENIED', `batch signature: '${signer.id}' is a ${signer.role}, only providers publish batches`);
  if (!verifyDetached(jws, signed.batch, membership.activeKey(signer.id)!)) {
    throw new CordonError('INVALID_SIGNATURE', `batch signature: does not verify against ${signer.id}'s key over the bytes received`);
  }
  // One pass over the exact signed bytes: decode, validate, and encode the COPY rows.
  const batch = decodeBatchForCommit(signed.batch, 'batch', {
    checkSkew: opts.checkSkew,
    ...(opts.now !== undefined ? { now: opts.now } : {}),
    signer: signer.id,
    validationWhere: (p, s) => `batch ${p}#${s}`,
  });
  return { batch, bytes: signed.batch, signature: signed.signature, digest: batchDigest(signed.batch) };
}

function gap(providerId: string, headSeq: bigint, headDigest: Uint8Array, what: string): CordonErrorWithTrailers {
  return new CordonErrorWithTrailers('OUT_OF_SEQUENCE', `batch ${providerId}: ${what}; this node's head is seq ${headSeq}, resend from ${headSeq + 1n}`, {
    [HEAD_SEQ_TRAILER]: headSeq.toString(),
    [HEAD_DIGEST_TRAILER]: hex(headDigest),
  });
}

/**
 * Orders the head-lock phase of concurrent commits of one provider's chain:
 * a commit takes the head lock only after its predecessor took it (`turn`),
 * and says when it has (`locked`). The heavy writes before it overlap.
 */
export interface CommitOrder {
  readonly turn: Promise<void>;
  readonly locked: () => void;
}

/** Thrown inside the optimistic transaction to roll it back when the batch does not extend the chain. */
class NotNext extends Error {}


/**
 * Commits a verified batch on top of its provider's chain (see the contract above).
 *
 * The usual case (the batch extends the chain) runs optimistically: the batch
 * row and its records are written first, then the head row is locked, checked
 * and moved, all in one transaction. Heavy writes of batch n+1 thus overlap
 * the commit of batch n, while the head lock keeps the chain strictly ordered.
 * Anything else (a resend, an equivocation, a gap, a fork) rolls back and is
 * settled by the sequential path below, which stores nothing but evidence.
 */
export async function commitBatch(sql: Sql, v: VerifiedBatch, opts: AcceptOptions, order?: CommitOrder): Promise<AcceptResult> {
  const { batch } = v;
  try {
    return await sql.begin(async (tx) => {
      const inserted = await insertBatch(tx, {
        providerId: batch.providerId, seq: batch.seq, digest: v.digest, prevDigest: batch.prevDigest, createdMs: Number(batch.createdMs),
        batch: v.bytes, signature: v.signature, recordCount: batch.recordCount, retractionCount: batch.retractionCount, receivedFrom: opts.receivedFrom,
      });
      if (!inserted) throw new NotNext(); // this seq is held: a resend or an equivocation
      if (batch.recordCount > 0) await copyBinary(tx, 'records', RECORD_COLUMNS, batch.recordRows);
      await order?.turn;
      const head = await lockHead(tx, batch.providerId, GENESIS_DIGEST);
      order?.locked();
      if (batch.seq !== head.seq + 1n || !sameBytes(batch.prevDigest, head.digest)) throw new NotNext();
      await applyRetractions(tx, batch.providerId, batch.seq, batch.retractions.map((r) => r.recordId), batch.retractions.map((r) => r.reason));
      await setHead(tx, batch.providerId, batch.seq, v.digest);
      return { outcome: 'accepted' as const, seq: batch.seq, digest: v.digest, verified: v };
    });
  } catch (err) {
    if (!(err instanceof NotNext)) throw err;
  } finally {
    order?.locked();
  }
  return settle(sql, v, opts);
}

/** Why a conflicting batch was refused without being kept (the bounds of insertEquivocation). */
const EVIDENCE_HELD = `evidence is kept once per sequence number and at most ${MAX_EVIDENCE_PER_PROVIDER} times per provider, and this node holds it already`;

/** The sequential path: lock the head first, then decide what the batch is. */
async function settle(sql: Sql, v: VerifiedBatch, opts: AcceptOptions): Promise<AcceptResult> {
  const { batch } = v;
  const outcome = await sql.begin(async (tx) => {
    const head = await lockHead(tx, batch.providerId, GENESIS_DIGEST);
    if (batch.seq <= head.seq) {
      const held = (await batchDigestAt(tx, batch.providerId, batch.seq))!;
      if (sameBytes(held, v.digest)) return { outcome: 'duplicate' as const, head };
      const kept = await insertEquivocation(tx, {
        providerId: batch.providerId, seq: batch.seq, kind: 'same_seq', heldDigest: held, conflictingDigest: v.digest,
        conflictingBatch: v.bytes, conflictingSignature: v.signature, reportedBy: opts.receivedFrom,
      }, MAX_EVIDENCE_PER_PROVIDER);
      return { outcome: 'equivocation' as const, head, held, kept };
    }
    if (batch.seq > head.seq + 1n) return { outcome: 'gap' as const, head };
    if (!sameBytes(batch.prevDigest, head.digest)) {
      // Signed on top of a predecessor we do not hold: the provider signed two different batches at seq − 1.
      const kept = await insertEquivocation(tx, {
        providerId: batch.providerId, seq: batch.seq, kind: 'fork', heldDigest: head.digest, conflictingDigest: v.digest,
        conflictingBatch: v.bytes, conflictingSignature: v.signature, reportedBy: opts.receivedFrom,
      }, MAX_EVIDENCE_PER_PROVIDER);
      return { outcome: 'fork' as const, head, kept };
    }
    await insertBatch(tx, {
      providerId: batch.providerId, seq: batch.seq, digest: v.digest, prevDigest: batch.prevDigest, createdMs: Number(batch.createdMs),
      batch: v.bytes, signature: v.signature, recordCount: batch.recordCount, retractionCount: batch.retractionCount, receivedFrom: opts.receivedFrom,
    });
    if (batch.recordCount > 0) await copyBinary(tx, 'records', RECORD_COLUMNS, batch.recordRows);
    await applyRetractions(tx, batch.providerId, batch.seq, batch.retractions.map((r) => r.recordId), batch.retractions.map((r) => r.reason));
    await setHead(tx, batch.providerId, batch.seq, v.digest);
    return { outcome: 'accepted' as const, head };
  });
  switch (outcome.outcome) {
    case 'accepted':
    case 'duplicate':
      return { outcome: outcome.outcome, seq: outcome.outcome === 'accepted' ? batch.seq : outcome.head.seq, digest: outcome.outcome === 'accepted' ? v.digest : outcome.head.digest, verified: v };
    case 'gap':
      throw gap(batch.providerId, outcome.head.seq, outcome.head.digest, `seq ${batch.seq} does not follow the held seq ${outcome.head.seq}`);
    case 'fork':
      throw gap(batch.providerId, outcome.head.seq, outcome.head.digest, `prev_digest of seq ${batch.seq} is not the digest of the held seq ${outcome.head.seq} (${outcome.kept ? 'kept as evidence of a fork' : `not kept as evidence: ${EVIDENCE_HELD}`})`);
    case 'equivocation':
      throw new CordonError('EQUIVOCATION', `batch ${batch.providerId}#${batch.seq}: a different batch is already held at this sequence number (digest ${hex(outcome.held).slice(0, 16)}…); the new one is ${outcome.kept ? 'kept only as evidence' : `not kept: ${EVIDENCE_HELD}`}`);
  }
}
