import { describe, expect, it } from 'vitest';
import { investigationPolicySchema } from '../../../src/federation/membership/schema.js';
import { isProbing } from '../../../src/investigate/budget/probing.js';
import { parseCaseQuery, queryCost } from '../../../src/investigate/cases/case-query.js';
import { nextState } from '../../../src/investigate/cases/lifecycle.js';

describe('case lifecycle', () => {
  it('goes open → answered → escalated → closed and refuses what a state forbids', () => {
    expect(nextState('open', 'answer', 'c')).toBe('answered');
    expect(nextState('open', 'decline', 'c')).toBe('open');
    expect(nextState('answered', 'escalate', 'c')).toBe('escalated');
    expect(nextState('escalated', 'close', 'c')).toBe('closed');
    expect(() => nextState('escalated', 'answer', 'c')).toThrow(/cannot answer: the case is escalated/);
    expect(() => nextState('escalated', 'escalate', 'c')).toThrow(/already escalated/);
    expect(() => nextState('closed', 'close', 'c')).toThrow(/case c: cannot close: the case is closed/);
  });
});

describe('probing rule', () => {
  const policy = investigationPolicySchema.parse({ probing_min_queries: 10, probing_miss_ratio: 0.8 });
  it('flags many mostly-missing queries only', () => {
    expect(isProbing({ provider: 'p', queries: 10, misses: 8 }, policy)).toBe(true);
    expect(isProbing({ provider: 'p', queries: 10, misses: 7 }, policy)).toBe(false);
    expect(isProbing({ provider: 'p', queries: 9, misses: 9 }, policy)).toBe(false);
  });
  it('has named defaults', () => {
    expect(investigationPolicySchema.parse({})).toEqual({ query_tokens_per_day: 1000, probing_min_queries: 20, probing_miss_ratio: 0.8, probing_window_days: 7 });
  });
});

describe('case query', () => {
  const token = (kind = 1, n = 32) => ({ kind, value: new Uint8Array(n) });
  it('costs one per token and template', () => {
    expect(queryCost(parseCaseQuery({ epoch: 1, tokens: [token(), token(6)], templates: [] }, 'q'))).toBe(2);
  });
  it('refuses empty, malformed and oversized queries, naming the problem', () => {
    expect(() => parseCaseQuery({ epoch: 1, tokens: [], templates: [] }, 'OpenCase')).toThrow(/OpenCase: needs at least one token/);
    expect(() => parseCaseQuery({ epoch: 0, tokens: [token()], templates: [] }, 'q')).toThrow(/epoch must be/);
    expect(() => parseCaseQuery({ epoch: 1, tokens: [token(1, 31)], templates: [] }, 'q')).toThrow(/token 0: must be 32 bytes, got 31/);
    expect(() => parseCaseQuery({ epoch: 1, tokens: [token(42)], templates: [] }, 'q')).toThrow(/token 0: unknown kind 42/);
    expect(() => parseCaseQuery({ epoch: 1, tokens: Array.from({ length: 257 }, () => token()), templates: [] }, 'q')).toThrow(/at most 256 tokens/);
    expect(() => parseCaseQuery({ epoch: 1, tokens: [], templates: [{ bands: [], minhash: [1] }] }, 'q')).toThrow(/template 0: needs 128 MinHash values/);
  });
});
