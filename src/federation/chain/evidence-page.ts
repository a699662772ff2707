import { create } from '@bufbuild/protobuf';
import type { Sql } from 'postgres';
import { SignedBatchSchema } from '../../gen/cordon/v1/common_pb.js';
import { EquivocationSchema, ListEquivocationsResponseSchema, type ListEquivocationsRequest, type ListEquivocationsResponse } from '../../gen/cordon/v1/federation_pb.js';
import { CordonError } from '../../errors.js';
import { equivocationsAt, equivocationSizes, type EvidencePosition, type EvidenceSize } from '../../store/chain-store.js';
import { NODE_ID } from '../membership/schema.js';
import { DEFAULT_EQUIVOCATION_PAGE, MAX_EQUIVOCATION_PAGE, MAX_EQUIVOCATION_PAGE_BYTES } from './limits.js';

/**
 * ListEquivocations a page at a time. A page holds at most page_size entries
 * and at most MAX_EQUIVOCATION_PAGE_BYTES of evidence, but always one entry:
 * an entry is one conflicting batch (never the held one beside it, which
 * callers read with FetchBatches), so even a batch at the size limit fits one
 * gRPC message on its own. Rows are chosen by their sizes before any batch is
 * read, so a page never holds more than that in memory either.
 */

/**
 * An entry's bytes beyond its batch and signature: field tags and lengths,
 * the seq and the time (≤ 10 bytes each) and a member id (≤ 63 chars); about
 * 110 bytes, rounded up.
 */
const ENTRY_FRAMING_BYTES = 256;

/** Page tokens: the (provider, seq) of the last entry sent, opaque to callers (base64url of "<seq>:<provider>"). */
export function encodeEvidenceToken(p: EvidencePosition): string {
  return Buffer.from(`${p.seq}:${p.providerId}`).toString('base64url');
}

export function decodeEvidenceToken(token: string): EvidencePosition {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const m = /^(\d{1,20}):(.+)$/.exec(text);
  if (!m || !NODE_ID.test(m[2]!)) throw new CordonError('INVALID_INPUT', 'ListEquivocations: page_token is not one this node issued');
  return { seq: BigInt(m[1]!), providerId: m[2]! };
}

/**
 * The longest prefix of `candidates` within `maxBytes` (never empty when a
 * candidate exists), and whether anything follows it. Pure.
 */
export function choosePage(candidates: readonly EvidenceSize[], limit: number, maxBytes: number): { page: EvidenceSize[]; more: boolean } {
  const page: EvidenceSize[] = [];
  let bytes = 0;
  for (const c of candidates.slice(0, limit)) {
    const size = c.bytes + ENTRY_FRAMING_BYTES;
    if (page.length > 0 && bytes + size > maxBytes) break;
    page.push(c);
    bytes += size;
  }
  return { page, more: candidates.length > page.length };
}

/** One ListEquivocations page as the request asks (see the contract above). */
export async function listEvidencePage(sql: Sql, req: ListEquivocationsRequest): Promise<ListEquivocationsResponse> {
  if (req.pageSize > MAX_EQUIVOCATION_PAGE) throw new CordonError('INVALID_INPUT', `ListEquivocations: page_size ${req.pageSize} exceeds ${MAX_EQUIVOCATION_PAGE}`);
  const limit = req.pageSize || DEFAULT_EQUIVOCATION_PAGE;
  const after = req.pageToken ? decodeEvidenceToken(req.pageToken) : undefined;
  // One extra row tells whether another page follows.
  const candidates = await equivocationSizes(sql, { ...(req.providerId ? { providerId: req.providerId } : {}), ...(after ? { after } : {}), limit: limit + 1 });
  const { page, more } = choosePage(candidates, limit, MAX_EQUIVOCATION_PAGE_BYTES);
  const rows = await equivocationsAt(sql, page);
  const last = page[page.length - 1];
  return create(ListEquivocationsResponseSchema, {
    equivocations: rows.map((r) =>
      create(EquivocationSchema, {
        providerId: r.providerId,
        seq: r.seq,
        conflicting: create(SignedBatchSchema, { batch: r.conflictingBatch, signature: r.conflictingSignature }),
        detectedMs: BigInt(r.detectedAt.getTime()),
      }),
    ),
    nextPageToken: more && last ? encodeEvidenceToken(last) : '',
  });
}
