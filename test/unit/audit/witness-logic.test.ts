import { describe, expect, it } from 'vitest';
import { chainOrder } from '../../../src/audit/integrate/chain-order.js';
import { signTreeHead } from '../../../src/audit/tree-head.js';
import { headDisagreements } from '../../../src/audit/witness/chain-check.js';
import { extensionProblem, relateHeads } from '../../../src/audit/witness/head-check.js';
import { Sightings } from '../../../src/audit/witness/sightings.js';
import { generateKeyPairSync } from 'node:crypto';
import { MemoryTree } from '../../../src/crypto/merkle/index.js';

const { privateKey } = generateKeyPairSync('ed25519');

describe('relating a log head to the one accepted before', () => {
  const mem = new MemoryTree();
  for (let i = 0; i < 20; i++) mem.appendData(Uint8Array.of(i));
  const head = (size: number, root = mem.root(size)) => signTreeHead(size, root, 1, privateKey, 'c1');

  it('classifies first, unchanged, grows, rollback and a second root', () => {
    expect(relateHeads(undefined, head(5))).toBe('first');
    expect(relateHeads(head(5), head(5))).toBe('unchanged');
    expect(relateHeads(head(5), head(9))).toBe('grows');
    expect(relateHeads(head(9), head(5))).toBe('rollback');
    expect(relateHeads(head(5), head(5, mem.root(6)))).toBe('second_root');
  });

  it('accepts growth only with a consistency proof that reproduces both roots', () => {
    expect(extensionProblem(head(5), head(9), mem.consistencyProof(5, 9))).toBeUndefined();
    expect(extensionProblem(head(0), head(9), [])).toBeUndefined();
    expect(extensionProblem(head(5), head(9, mem.root(10)), mem.consistencyProof(5, 9))).toMatch(/does not reproduce the root of size 9/);
    expect(extensionProblem(head(5), head(9), mem.consistencyProof(5, 9).slice(1))).toMatch(/PROOF_TOO_SHORT|needs/);
  });
});

describe('chain order of pending batches', () => {
  it('follows acceptance time across providers but never inverts one provider\'s chain', () => {
    const at = (ms: number) => new Date(1_000 + ms);
    const pending = [
      { providerId: 'p1', seq: 2n, receivedAt: at(1) }, // committed a moment before seq 1 (parallel commits)
      { providerId: 'p1', seq: 1n, receivedAt: at(2) },
      { providerId: 'p2', seq: 7n, receivedAt: at(0) },
      { providerId: 'p1', seq: 3n, receivedAt: at(5) },
      { providerId: 'p2', seq: 8n, receivedAt: at(4) },
    ];
    expect(chainOrder(pending).map((b) => `${b.providerId}#${b.seq}`)).toEqual(['p2#7', 'p1#1', 'p1#2', 'p2#8', 'p1#3']);
  });
});

describe('comparing chain heads across consortium nodes', () => {
  it('flags one position held with different digests, not nodes that merely lag', () => {
    const d = (b: number) => new Uint8Array(32).fill(b);
    const found = headDisagreements([
      { nodeId: 'c1', heads: new Map([['p1', { seq: 5n, digest: d(1) }], ['p2', { seq: 3n, digest: d(7) }]]) },
      { nodeId: 'c2', heads: new Map([['p1', { seq: 5n, digest: d(2) }], ['p2', { seq: 2n, digest: d(8) }]]) },
      { nodeId: 'c3', heads: new Map([['p1', { seq: 5n, digest: d(1) }]]) },
    ]);
    expect(found).toEqual([{ providerId: 'p1', seq: 5n, nodeIds: ['c1', 'c2'] }]);
  });
});

describe('merge-delay sightings', () => {
  it('keep the first time a head was seen until it moves, and forget it once settled', () => {
    const s = new Sightings();
    s.note('c1', new Map([['p1', 5n]]), 1_000);
    s.note('c1', new Map([['p1', 5n]]), 5_000);
    expect(s.overdue('c1', 11_001, 10_000)).toEqual([{ providerId: 'p1', seq: 5n, since: 1_000 }]);
    s.note('c1', new Map([['p1', 6n]]), 6_000);
    expect(s.overdue('c1', 11_001, 10_000)).toEqual([]);
    s.settle('c1', 'p1', 6n);
    expect(s.overdue('c1', 99_000, 10_000)).toEqual([]);
  });
});
