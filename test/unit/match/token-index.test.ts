import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMPACT_AT, TokenIndex } from '../../../src/match/token-index.js';

const rec = (provider: string, record: string, expiresMs = Number.MAX_SAFE_INTEGER) => ({ provider, record, epoch: 1, publishedMs: 1, expiresMs });

/** A token unique to `i`, cheaper than randomBytes in a loop of a million. */
function distinct(i: number): Buffer {
  const t = Buffer.alloc(32);
  t.writeUInt32BE(Math.imul(i, 2654435761) >>> 0, 0);
  t.writeUInt32BE(i, 4);
  return t;
}

describe('token index', () => {
  it('finds every record holding a token, through many rehashes, and nothing for absent tokens', () => {
    const index = new TokenIndex();
    const tokens = Array.from({ length: 50_000 }, () => randomBytes(32));
    for (let i = 0; i < tokens.length; i++) index.add(rec(`p${i % 3}`, `r${i}`), [{ kind: 6, token: tokens[i]! }]);
    index.add(rec('p9', 'twin'), [{ kind: 6, token: tokens[123]! }]);
    expect(index.lookup(6, tokens[123]!, 1, 0).map((r) => r.record).sort()).toEqual(['r123', 'twin']);
    for (let i = 0; i < tokens.length; i += 997) expect(index.lookup(6, tokens[i]!, 1, 0).map((r) => r.record)).toContain(`r${i}`);
    expect(index.lookup(6, randomBytes(32), 1, 0)).toEqual([]);
    // Kind and epoch must agree.
    expect(index.lookup(1, tokens[5]!, 1, 0)).toEqual([]);
    expect(index.lookup(6, tokens[5]!, 2, 0)).toEqual([]);
  });

  it('forgets withdrawn and expired records, and excluded tokens', () => {
    const index = new TokenIndex();
    const t = randomBytes(32);
    const u = randomBytes(32);
    index.add(rec('p1', 'a'), [{ kind: 6, token: t }, { kind: 1, token: u }]);
    index.add(rec('p2', 'b', 1_000), [{ kind: 6, token: t }]);
    expect(index.lookup(6, t, 1, 500)).toHaveLength(2);
    expect(index.lookup(6, t, 1, 1_000).map((r) => r.record)).toEqual(['a']);
    index.withdraw('p1', 'a');
    expect(index.lookup(6, t, 1, 0).map((r) => r.record)).toEqual(['b']);
    index.add(rec('p3', 'c'), [{ kind: 1, token: u }]);
    index.exclude(1, u);
    expect(index.lookup(1, u, 1, 0)).toEqual([]);
    expect(index.lookup(6, t, 1, 0)).toHaveLength(1);
  });

  it('answers exactly as before after compacting, with republished records, shared keys and exclusions', () => {
    const index = new TokenIndex();
    const pool = Array.from({ length: 2_000 }, () => randomBytes(32));
    // The model: live (provider, record) → its tokens, in insertion order.
    const model = new Map<string, { r: ReturnType<typeof rec>; tokens: { kind: number; token: Buffer }[] }>();
    let n = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3_000; i++, n++) {
        const r = rec(`p${n % 4}`, `r${n % 5_000}`);
        const tokens = [{ kind: 6, token: pool[n % pool.length]! }, { kind: 1, token: pool[(n * 7) % pool.length]! }];
        index.add(r, tokens);
        const key = `${r.provider}/${r.record}`;
        model.set(key, { r, tokens: [...(model.get(key)?.tokens ?? []), ...tokens] });
      }
      for (let i = round; i < 5_000; i += 3) {
        const provider = `p${i % 4}`;
        index.withdraw(provider, `r${i}`);
        model.delete(`${provider}/r${i}`);
      }
    }
    index.exclude(1, pool[7]!);
    const expected = (kind: number, token: Buffer) =>
      kind === 1 && token === pool[7] ? [] : [...model.values()].filter((m) => m.tokens.some((t) => t.kind === kind && t.token === token)).map((m) => `${m.r.provider}/${m.r.record}`).sort();
    const answers = () => pool.flatMap((t) => [6, 1].map((kind) => index.lookup(kind, t, 1, 0).map((r) => `${r.provider}/${r.record}`)));
    const before = answers();
    index.compact();
    expect(index.recordCount).toBe(index.liveRecordCount);
    // Same answers, same order, and both agree with the model.
    expect(answers()).toEqual(before);
    pool.forEach((t, i) => {
      expect([...new Set(index.lookup(6, t, 1, 0).map((r) => `${r.provider}/${r.record}`))].sort(), `token ${i}`).toEqual(expected(6, t));
      expect([...new Set(index.lookup(1, t, 1, 0).map((r) => `${r.provider}/${r.record}`))].sort(), `token ${i}`).toEqual(expected(1, t));
    });
    // Withdrawal and addition keep working on the compacted layout.
    const [first] = model.values();
    index.withdraw(first!.r.provider, first!.r.record);
    expect(index.lookup(6, first!.tokens[0]!.token, 1, 0).map((r) => `${r.provider}/${r.record}`)).not.toContain(`${first!.r.provider}/${first!.r.record}`);
    const fresh = randomBytes(32);
    index.add(rec('p9', 'new'), [{ kind: 6, token: fresh }]);
    expect(index.lookup(6, fresh, 1, 0).map((r) => r.record)).toEqual(['new']);
  });

  it('holds memory for what is live when records keep being retracted and republished (a soak)', () => {
    const index = new TokenIndex();
    const LIVE = 20_000;
    let high = 0;
    for (let i = 0; i < 20 * LIVE; i++) {
      index.add(rec('p1', `r${i}`), [{ kind: 6, token: distinct(2 * i) }, { kind: 1, token: distinct(2 * i + 1) }]);
      if (i >= LIVE) index.withdraw('p1', `r${i - LIVE}`);
      if (i === 4 * LIVE) high = index.byteSize;
    }
    expect(index.liveRecordCount).toBe(LIVE);
    // Tombstones are bounded: never more than max(COMPACT_AT, live) of them.
    expect(index.recordCount - index.liveRecordCount).toBeLessThanOrEqual(Math.max(COMPACT_AT, LIVE));
    expect(index.byteSize).toBeLessThanOrEqual(high);
  });
});
