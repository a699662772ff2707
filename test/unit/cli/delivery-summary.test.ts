import { describe, expect, it } from 'vitest';
import { describeRun, summarizeDelivery } from '../../../src/cli/delivery.js';

/** publish/rotate summaries: this run's batches are either sent now or already held; earlier ones are counted apart. */
describe('delivery summary', () => {
  const run = { first: 2n, last: 21n }; // 20 batches

  it('counts batches held before delivery and answered as duplicates as already held', () => {
    // The node held 1..7 already (head 7); of 8..21 it took 8..14 now and answered 15..21 as held
    // (a running provider node delivered them meanwhile): the case that printed "7 sent, 7 already held".
    const sent = [8n, 9n, 10n, 11n, 12n, 13n, 14n];
    const s = summarizeDelivery(run, { node: 'c1', headSeq: 21n, sent, alreadyHeld: [15n, 16n, 17n, 18n, 19n, 20n, 21n] });
    expect(s).toEqual({ node: 'c1', head_seq: 21, sent: 7, already_held: 13, earlier_sent: 0 });
    expect(s.sent + s.already_held!).toBe(20);
    expect(describeRun(run)).toBe('signed 20 batches (seq 2–21)');
  });

  it('counts batches left in the outbox by earlier runs apart', () => {
    expect(summarizeDelivery(run, { node: 'c1', headSeq: 21n, sent: [1n, ...Array.from({ length: 20 }, (_, i) => BigInt(i + 2))], alreadyHeld: [] }))
      .toEqual({ node: 'c1', head_seq: 21, sent: 20, already_held: 0, earlier_sent: 1 });
  });

  it('after a failure, says how many were sent and does not guess what the node holds', () => {
    expect(summarizeDelivery(run, { node: 'c2', sent: [2n, 3n], alreadyHeld: [], error: 'c2: unavailable' }))
      .toEqual({ node: 'c2', head_seq: null, sent: 2, already_held: null, earlier_sent: 0, error: 'c2: unavailable' });
  });
});
