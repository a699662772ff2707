import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTemplateSigner } from '../../../src/crypto/minhash.js';
import { consortiumSecretId, createSharedKeyPrf, SharedKeyPrf } from '../../../src/crypto/prf/shared-key-prf.js';
import { encodeTokenInput, TOKEN_BYTES, TOKEN_KIND_CODES, type TokenInput, type TokenPrf } from '../../../src/crypto/prf/token-prf.js';
import { CordonError } from '../../../src/errors.js';
import { normalizeIdentifier, type TokenKindName } from '../../../src/fingerprint/normalize/index.js';
import { TokenKind } from '../../../src/gen/cordon/v1/common_pb.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const KINDS = Object.keys(TOKEN_KIND_CODES) as TokenKindName[];
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);

/** The format written out independently of the implementation: HKDF → HMAC over tag ‖ epoch ‖ kind ‖ len ‖ value. */
function referenceToken(secret: Uint8Array, epoch: number, kind: TokenKindName, value: string): string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'cordon/consortium-secret/v1', `cordon token v1 epoch ${epoch}`, 32));
  const v = Buffer.from(value, 'utf8');
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const input = Buffer.concat([Buffer.from('cordon/token/v1\0', 'latin1'), u32(epoch), Buffer.from([TOKEN_KIND_CODES[kind]]), u32(v.length), v]);
  return createHmac('sha256', key).update(input).digest('hex');
}

/** Matching bytes at equal positions between two lists of tokens. */
function equalBytes(a: Uint8Array[], b: Uint8Array[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < TOKEN_BYTES; j++) if (a[i]![j] === b[i]![j]) n++;
  return n;
}

const values = (n: number): string[] => Array.from({ length: n }, (_, i) => `user${i}@example${i % 7}.com`);

describe('shared-key token PRF', () => {
  const prf = new SharedKeyPrf(SECRET);

  it('matches a known answer and the written-out format', () => {
    expect(hex(prf.tokenize(1, 'email', 'alice@example.com'))).toBe('9ac9925e762cefdc18902c8e63cd548f7da11d5b89227bf22ece4e5e7b3e8781');
    expect(hex(prf.templateKey(1))).toBe('7bdd57eef2d372d72a653a92d2fb36d2fb6d45dc8bda4406d2cdfbff034f601e');
    expect(prf.secretId).toBe('a8b88e1252190a02a0ebae8eca127465');
    for (const kind of KINDS) {
      for (const [epoch, value] of [[0, 'x'], [7, 'alice@example.com'], [0xffff_ffff, '203.0.113.0/24'], [3, 'münchen.de'], [5, '😀'.repeat(3)]] as const) {
        expect(hex(prf.tokenize(epoch, kind, value)), `${kind} ${epoch} ${value}`).toBe(referenceToken(SECRET, epoch, kind, value));
      }
    }
  });

  it('encodes the PRF input unambiguously', () => {
    const e = encodeTokenInput(258, 'ip_prefix', 'ab');
    expect(hex(e)).toBe(Buffer.from('cordon/token/v1\0', 'latin1').toString('hex') + '00000102' + '04' + '00000002' + '6162');
    const seen = new Set<string>();
    for (const epoch of [0, 1, 256]) for (const kind of KINDS) for (const v of ['a', 'aa', 'a\u0000', '\u0001a']) seen.add(hex(encodeTokenInput(epoch, kind, v)));
    expect(seen.size).toBe(3 * KINDS.length * 4);
  });

  it('uses the wire enum TokenKind as kind codes', () => {
    const wire: Record<TokenKindName, number> = {
      email: TokenKind.EMAIL, phone: TokenKind.PHONE, ip: TokenKind.IP, ip_prefix: TokenKind.IP_PREFIX, asn: TokenKind.ASN,
      payment: TokenKind.PAYMENT, device: TokenKind.DEVICE, org_domain: TokenKind.ORG_DOMAIN, api_key: TokenKind.API_KEY,
    };
    expect(TOKEN_KIND_CODES).toEqual(wire);
  });

  it('is deterministic per (secret, epoch, kind, value), across instances', () => {
    const other = createSharedKeyPrf(Uint8Array.from(SECRET));
    for (const v of values(200)) {
      const t = prf.tokenize(4, 'email', v);
      expect(t).toHaveLength(TOKEN_BYTES);
      expect(hex(prf.tokenize(4, 'email', v))).toBe(hex(t));
      expect(hex(other.tokenize(4, 'email', v))).toBe(hex(t));
    }
  });

  it('returns independent tokens (no view into a reused buffer)', () => {
    const a = prf.tokenize(1, 'email', 'a@example.com');
    const copy = hex(a);
    prf.tokenize(1, 'email', 'b@example.com');
    prf.tokenize(2, 'phone', '+14155552671');
    expect(hex(a)).toBe(copy);
  });

  it('gives unrelated tokens in different epochs', () => {
    const vs = values(2000);
    const e1 = vs.map((v) => prf.tokenize(1, 'email', v));
    const e2 = vs.map((v) => prf.tokenize(2, 'email', v));
    const all = new Set([...e1, ...e2].map(hex));
    expect(all.size).toBe(4000);
    // 64,000 byte positions; equal by chance with p = 1/256: mean 250, σ ≈ 15.8.
    const same = equalBytes(e1, e2);
    expect(same).toBeGreaterThan(250 - 6 * 16);
    expect(same).toBeLessThan(250 + 6 * 16);
    // Bit level: about half the bits differ.
    let diff = 0;
    for (let i = 0; i < vs.length; i++) for (let j = 0; j < TOKEN_BYTES; j++) diff += popcount(e1[i]![j]! ^ e2[i]![j]!);
    expect(diff / (vs.length * TOKEN_BYTES * 8)).toBeCloseTo(0.5, 2);
  });

  it('keeps epochs apart when calls interleave (per-epoch cache)', () => {
    const fresh = (epoch: number, v: string) => hex(new SharedKeyPrf(SECRET).tokenize(epoch, 'device', v));
    for (let i = 0; i < 40; i++) {
      const epoch = (i * 7) % 20; // more epochs than the cache holds
      expect(hex(prf.tokenize(epoch, 'device', `d${i}`))).toBe(fresh(epoch, `d${i}`));
    }
  });

  it('gives different tokens for the same value under different kinds', () => {
    for (const v of ['example.com', '13335', 'abc123', '203.0.113.7']) {
      const tokens = KINDS.map((k) => hex(prf.tokenize(3, k, v)));
      expect(new Set(tokens).size).toBe(KINDS.length);
    }
  });

  it('gives unrelated tokens under different secrets', () => {
    const other = new SharedKeyPrf(randomBytes(32));
    const vs = values(2000);
    const a = vs.map((v) => prf.tokenize(1, 'email', v));
    const b = vs.map((v) => other.tokenize(1, 'email', v));
    expect(new Set([...a, ...b].map(hex)).size).toBe(4000);
    expect(equalBytes(a, b)).toBeLessThan(250 + 6 * 16);
    expect(other.secretId).not.toBe(prf.secretId);
  });

  it('gives identical tokens for the same identifier in different surface forms (two providers)', () => {
    const providerA = new SharedKeyPrf(SECRET);
    const providerB = new SharedKeyPrf(Uint8Array.from(SECRET));
    const pairs: [Parameters<typeof normalizeIdentifier>[0], string, string][] = [
      ['email', ' John.Doe+promo@GoogleMail.com', 'johndoe@gmail.com'],
      ['phone', '+1 (415) 555-2671', '+14155552671'],
      ['ip', '::ffff:198.51.100.7', '198.51.100.7'],
    ];
    for (const [kind, a, b] of pairs) {
      const na = normalizeIdentifier(kind, a);
      const nb = normalizeIdentifier(kind, b);
      if (!na.ok || !nb.ok) throw new Error(`normalization failed for ${kind}`);
      expect(na.values.map((x) => hex(providerA.tokenize(9, x.kind, x.value)))).toEqual(nb.values.map((x) => hex(providerB.tokenize(9, x.kind, x.value))));
    }
  });

  it('handles long and non-ASCII values (buffer growth)', () => {
    for (const v of ['é'.repeat(5000), 'x'.repeat(10_000), '中'.repeat(1500), 'a', 'b'.repeat(3072)]) {
      expect(hex(prf.tokenize(1, 'device', v))).toBe(referenceToken(SECRET, 1, 'device', v));
    }
  });

  it('computes the same HMAC on its one-shot and object paths', () => {
    const objectPath = new SharedKeyPrf(SECRET, { hmac: 'object' });
    expect(objectPath.hmacPath).toBe('object');
    expect(prf.hmacPath).toBe('one-shot');
    const kinds = KINDS;
    for (const [i, v] of [...values(300), 'ü'.repeat(2000), '😀', 'x'.repeat(5000)].entries()) {
      const kind = kinds[i % kinds.length]!;
      const epoch = i % 3;
      expect(hex(prf.tokenize(epoch, kind, v))).toBe(hex(objectPath.tokenize(epoch, kind, v)));
    }
    expect(hex(objectPath.tokenize(7, 'email', 'alice@example.com'))).toBe(referenceToken(SECRET, 7, 'email', 'alice@example.com'));
  });

  it('agrees across tokenize, tokenizeMany and tokenizeBatch (the TokenPrf seam)', async () => {
    const items: TokenInput[] = values(50).map((value, i) => ({ kind: KINDS[i % KINDS.length]!, value }));
    const seam: TokenPrf = prf;
    expect(seam.mode).toBe('shared-key');
    const batch = (await seam.tokenizeBatch(6, items)).map(hex);
    expect(prf.tokenizeMany(6, items).map(hex)).toEqual(batch);
    expect(items.map((it) => hex(prf.tokenize(6, it.kind, it.value)))).toEqual(batch);
    await expect(seam.tokenizeBatch(-1, items)).rejects.toThrow(CordonError);
  });

  it('refuses bad input with INVALID_INPUT, never echoing the value', () => {
    const bad: [number, string, string][] = [
      [-1, 'email', 'a@b.c'], [1.5, 'email', 'a@b.c'], [2 ** 32, 'email', 'a@b.c'], [Number.NaN, 'email', 'a@b.c'],
      [1, 'name', 'a@b.c'], [1, 'toString', 'a@b.c'], [1, '__proto__', 'a@b.c'],
      [1, 'email', ''], [1, 'email', 'secret\uD800value'],
    ];
    for (const [epoch, kind, value] of bad) {
      let caught: unknown;
      try {
        prf.tokenize(epoch, kind as TokenKindName, value);
      } catch (err) {
        caught = err;
      }
      expect(caught, `${epoch} ${kind}`).toBeInstanceOf(CordonError);
      expect((caught as CordonError).code).toBe('INVALID_INPUT');
      if (value) expect((caught as Error).message).not.toContain(value);
    }
    expect(() => new SharedKeyPrf(new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it('derives an independent template key per epoch that signs templates', () => {
    const k1 = prf.templateKey(1);
    expect(k1).toHaveLength(32);
    expect(hex(prf.templateKey(1))).toBe(hex(k1));
    expect(hex(prf.templateKey(2))).not.toBe(hex(k1));
    const tokenKey = Buffer.from(hkdfSync('sha256', SECRET, 'cordon/consortium-secret/v1', 'cordon token v1 epoch 1', 32));
    expect(hex(k1)).not.toBe(hex(tokenKey));
    // A copy: mutating it does not change the next one.
    k1.fill(0);
    expect(hex(prf.templateKey(1))).not.toBe(hex(k1));
    const sig = createTemplateSigner(prf.templateKey(1)).sign('summarize the following article: <*>');
    const sig2 = createTemplateSigner(prf.templateKey(2)).sign('summarize the following article: <*>');
    expect(Array.from(sig.minhash)).not.toEqual(Array.from(sig2.minhash));
  });

  it('names the secret by a public id that differs from every key', () => {
    expect(consortiumSecretId(SECRET)).toMatch(/^[0-9a-f]{32}$/);
    expect(consortiumSecretId(SECRET)).toBe(prf.secretId);
  });
});

function popcount(x: number): number {
  let n = 0;
  while (x) {
    n += x & 1;
    x >>>= 1;
  }
  return n;
}
