import { describe, expect, it } from 'vitest';
import { choosePage, decodeEvidenceToken, encodeEvidenceToken } from '../../../src/federation/chain/evidence-page.js';
import { MAX_BATCH_BYTES, MAX_EQUIVOCATION_PAGE_BYTES } from '../../../src/federation/chain/limits.js';

/** ListEquivocations pages: chosen by count and by bytes, resumed by an opaque token. */
describe('equivocation evidence pages', () => {
  const rows = (...bytes: number[]) => bytes.map((b, i) => ({ providerId: 'p1', seq: BigInt(i + 1), bytes: b }));

  it('stops at the page size, and says another page follows', () => {
    expect(choosePage(rows(10, 10, 10), 2, MAX_EQUIVOCATION_PAGE_BYTES)).toMatchObject({ page: rows(10, 10), more: true });
    expect(choosePage(rows(10, 10), 2, MAX_EQUIVOCATION_PAGE_BYTES)).toMatchObject({ page: rows(10, 10), more: false });
  });

  it('stops before the entry that would take the page over its bytes, but always holds one', () => {
    const big = Math.floor(MAX_BATCH_BYTES * 0.6);
    const first = choosePage(rows(big, big, 10), 64, MAX_EQUIVOCATION_PAGE_BYTES);
    expect(first.page.map((r) => r.seq)).toEqual([1n]);
    expect(first.more).toBe(true);
    // One entry at the batch limit is a page of its own.
    expect(choosePage(rows(MAX_BATCH_BYTES + 4096), 64, MAX_EQUIVOCATION_PAGE_BYTES).page).toHaveLength(1);
    expect(choosePage([], 64, MAX_EQUIVOCATION_PAGE_BYTES)).toEqual({ page: [], more: false });
  });

  it('round-trips its page token and refuses one it did not issue', () => {
    expect(decodeEvidenceToken(encodeEvidenceToken({ providerId: 'lab-b', seq: 42n }))).toEqual({ providerId: 'lab-b', seq: 42n });
    for (const bad of ['', 'not base64!', Buffer.from('42').toString('base64url'), Buffer.from('x:p1').toString('base64url'), Buffer.from('1:P1 ').toString('base64url')]) {
      expect(() => decodeEvidenceToken(bad)).toThrow(/page_token is not one this node issued/);
    }
  });
});
