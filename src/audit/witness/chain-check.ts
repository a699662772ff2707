import type { SignedBatch } from '../../gen/cordon/v1/common_pb.js';
import { errorMessage } from '../../errors.js';
import { verifySignedBatch } from '../../federation/chain/accept-batch.js';
import { hex, sameBytes } from '../../federation/chain/digest.js';
import { hasFinding } from './findings-store.js';
import type { WitnessEnv } from './witness-env.js';

/** One consortium node's chain heads: provider → (seq, digest). */
export interface NodeHeads { readonly nodeId: string; readonly heads: ReadonlyMap<string, { seq: bigint; digest: Uint8Array }> }

/** A batch position two consortium nodes hold different batches for. */
export interface Disagreement { readonly providerId: string; readonly seq: bigint; readonly nodeIds: readonly string[] }

/**
 * Positions where consortium nodes report the same chain head with different
 * digests (pure). Heads at different sequence numbers are not compared here:
 * the lagging node's batch shows up in both logs within the merge delay, and
 * the copies' leaf index compares them there.
 */
export function headDisagreements(nodes: readonly NodeHeads[]): Disagreement[] {
  const out: Disagreement[] = [];
  const providers = new Set(nodes.flatMap((n) => [...n.heads.keys()]));
  for (const providerId of [...providers].sort()) {
    const bySeq = new Map<bigint, { digest: Uint8Array; nodeId: string }[]>();
    for (const n of nodes) {
      const h = n.heads.get(providerId);
      if (h) (bySeq.get(h.seq) ?? bySeq.set(h.seq, []).get(h.seq)!).push({ digest: h.digest, nodeId: n.nodeId });
    }
    for (const [seq, held] of bySeq) {
      const distinct = held.filter((h, i) => held.findIndex((o) => sameBytes(o.digest, h.digest)) === i);
      if (distinct.length > 1) out.push({ providerId, seq, nodeIds: distinct.map((d) => d.nodeId) });
    }
  }
  return out;
}

export const equivocationSubject = (providerId: string, seq: bigint): string => `${providerId}#${seq}`;

/**
 * Records an equivocation if among `batches` (each with where it was seen)
 * two different ones verify as signed by `providerId` at `seq`. The witness
 * checks every signature itself: a consortium node cannot frame a provider.
 * Returns whether the finding stands.
 */
export async function proveEquivocation(env: WitnessEnv, providerId: string, seq: bigint, batches: readonly { seenAt: string; batch: SignedBatch }[]): Promise<boolean> {
  const valid: { seenAt: string; batch: SignedBatch; digest: Uint8Array }[] = [];
  for (const { seenAt, batch } of batches) {
    try {
      const v = verifySignedBatch(batch, env.membership, { checkSkew: false });
      if (v.batch.providerId !== providerId || v.batch.seq !== seq) continue;
      if (!valid.some((o) => sameBytes(o.digest, v.digest))) valid.push({ seenAt, batch, digest: v.digest });
    } catch (err) {
      env.logger.warn('batch offered as equivocation evidence does not verify; ignored', { provider: providerId, seq, seen_at: seenAt, error: errorMessage(err) });
    }
  }
  if (valid.length < 2) return false;
  await env.report({
    kind: 'equivocation', subject: equivocationSubject(providerId, seq), providerId,
    detail: `${providerId} signed ${valid.length} different batches at seq ${seq} (seen at ${valid.map((v) => v.seenAt).join(', ')})`,
    evidence: {
      provider_id: providerId, seq: seq.toString(),
      batches: valid.map((v) => ({ seen_at: v.seenAt, digest: hex(v.digest), signature: v.batch.signature, batch_b64: Buffer.from(v.batch.batch).toString('base64') })),
    },
  });
  return true;
}

/** Whether this equivocation is already on record (proving it again would only re-fetch batches). */
export function knownEquivocation(env: WitnessEnv, providerId: string, seq: bigint): Promise<boolean> {
  return hasFinding(env.sql, 'equivocation', equivocationSubject(providerId, seq));
}
