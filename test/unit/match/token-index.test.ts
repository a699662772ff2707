import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenIndex } from '../../../src/match/token-index.js';

const rec = (provider: string, record: string, expiresMs = Number.MAX_SAFE_INTEGER) => ({ provider, record, epoch: 1, publishedMs: 1, expiresMs });

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
});
