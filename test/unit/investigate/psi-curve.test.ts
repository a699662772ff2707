import { ed25519, ed25519_hasher } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlindingKey } from '../../../src/investigate/psi/curve/blinding-key.js';
import { hashToCurve } from '../../../src/investigate/psi/curve/hash-to-curve.js';
import { checkPoints, MATCH_BYTES, POINT_BYTES } from '../../../src/investigate/psi/curve/points.js';
import { InlineEngine } from '../../../src/investigate/psi/engine/inline-engine.js';
import { WorkerEngine } from '../../../src/investigate/psi/engine/worker-engine.js';
import { randomPermutation, sortRows } from '../../../src/investigate/psi/protocol/order.js';
import { ValueIndex } from '../../../src/investigate/psi/protocol/value-index.js';
import { hashDst } from '../../../src/investigate/psi/set/element-set.js';

const utf8 = new TextEncoder();
const leHex = (row: Uint8Array) => Buffer.from(row).reverse().toString('hex');

describe('hash to curve25519 (RFC 9380 curve25519_XMD:SHA-512_ELL2_RO_)', () => {
  // RFC 9380 Appendix J.4.1: P.x for each message under the suite's test DST.
  const DST = utf8.encode('QUUX-V01-CS02-with-curve25519_XMD:SHA-512_ELL2_RO_');
  const vectors: [string, string][] = [
    ['', '2de3780abb67e861289f5749d16d3e217ffa722192d16bbd9d1bfb9d112b98c0'],
    ['abc', '2b4419f1f2d48f5872de692b0aca72cc7b0a60915dd70bde432e826b6abc526d'],
    ['abcdef0123456789', '68ca1ea5a6acf4e9956daa101709b1eee6c1bb0df1de3b90d4602382a104c036'],
    [`q128_${'q'.repeat(128)}`, '096e9c8bae6c06b554c1ee69383bb0e82267e064236b3a30608d4ed20b73ac5a'],
    [`a512_${'a'.repeat(512)}`, '1bc61845a138e912f047b5e70ba9606ba2a447a4dade024c8ef3dd42b7bbc5fe'],
  ];
  it('matches the RFC test vectors', () => {
    const rows = hashToCurve(vectors.map(([m]) => utf8.encode(m)), DST);
    vectors.forEach(([, x], i) => expect(leHex(rows.subarray(i * 32, (i + 1) * 32))).toBe(x));
  });

  it('agrees with @noble/curves (edwards25519 RO under the same DST, mapped to Montgomery) on random messages and batches', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 12 }), (messages) => {
        const rows = hashToCurve(messages, DST);
        messages.forEach((m, i) => {
          const reference = ed25519.utils.toMontgomery(ed25519_hasher.hashToCurve(m, { DST }).toBytes());
          expect(Buffer.from(rows.subarray(i * 32, (i + 1) * 32)).toString('hex')).toBe(Buffer.from(reference).toString('hex'));
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('blinding with X25519 on node:crypto', () => {
  it('commutes: (H(e)^a)^b = (H(e)^b)^a, and distinct elements stay distinct', () => {
    const [a, b] = [BlindingKey.generate(), BlindingKey.generate()];
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 8 }), (elements) => {
        const h = hashToCurve(elements.map((e) => utf8.encode(e)), hashDst('raw'));
        const ab = b.blind(a.blind(h, POINT_BYTES, 'a'), MATCH_BYTES, 'ab');
        const ba = a.blind(b.blind(h, POINT_BYTES, 'b'), MATCH_BYTES, 'ba');
        expect(Buffer.from(ab).equals(Buffer.from(ba))).toBe(true);
        const values = new Set(Array.from({ length: elements.length }, (_, i) => Buffer.from(ab.subarray(i * 16, (i + 1) * 16)).toString('hex')));
        expect(values.size).toBe(elements.length);
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a list that is not whole points, naming where', () => {
    expect(() => checkPoints(new Uint8Array(40), 'peer list')).toThrow(/peer list: 40 bytes is not a whole number of 32-byte points/);
  });

  it('worker threads and the calling thread compute the same values with the same key', async () => {
    const key = BlindingKey.generate();
    const workers = new WorkerEngine(key, 1);
    try {
      const elements = Array.from({ length: 50 }, (_, i) => `e${i}`);
      const [w, i] = await Promise.all([workers.blindElements(elements, hashDst('raw')), new InlineEngine(key).blindElements(elements, hashDst('raw'))]);
      expect(Buffer.from(w).equals(Buffer.from(i))).toBe(true);
      await expect(workers.reblind(new Uint8Array(32), 16, 'peer chunk')).rejects.toThrow(/peer chunk: point 0 is a point of small order/);
    } finally {
      await workers.close();
    }
  });
});

describe('list orders and the match index', () => {
  it('randomPermutation is a permutation; sortRows sorts bytewise; ValueIndex finds exactly the members', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.uint8Array({ minLength: 0, maxLength: 16 * 400 }), (n, raw) => {
        expect([...randomPermutation(n)].sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
        const rows = raw.subarray(0, raw.length - (raw.length % 16));
        const sorted = sortRows(rows, 16);
        const hexes = (r: Uint8Array) => Array.from({ length: r.length / 16 }, (_, i) => Buffer.from(r.subarray(i * 16, (i + 1) * 16)).toString('hex'));
        expect(hexes(sorted)).toEqual(hexes(rows).sort());
        const half = rows.subarray(0, Math.floor(rows.length / 32) * 16);
        const index = new ValueIndex(half, 16);
        const members = new Set(hexes(half));
        hexes(rows).forEach((h, i) => expect(index.has(rows, i * 16)).toBe(members.has(h)));
      }),
      { numRuns: 40 },
    );
  });
});
