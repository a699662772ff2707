import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateNodeKey, type NodeKey } from '../../../src/crypto/keys.js';
import { addSignature, readManifestPayload, unsignedManifest, validFounderSignatures, verifyManifest } from '../../../src/federation/membership/manifest-jws.js';
import { Membership } from '../../../src/federation/membership/membership.js';
import { investigationPolicySchema, matchPolicySchema, type Manifest } from '../../../src/federation/membership/schema.js';

const keys: Record<string, NodeKey> = Object.fromEntries(['c1', 'c2', 'c3', 'p1'].map((id) => [id, generateNodeKey().key]));
const member = (id: string, role: 'consortium' | 'provider', status: 'active' | 'revoked' = 'active') => ({
  id, organisation: id, role, jwk: keys[id]!.publicJwk, endpoints: { grpc: '127.0.0.1:1' }, status,
});
const base = (over: Partial<Manifest> = {}): Manifest => ({
  consortium: 'test', version: 1, issued_at: '2026-11-27T00:00:00Z', threshold: 2, founders: ['c1', 'c2', 'c3'],
  members: [member('c1', 'consortium'), member('c2', 'consortium'), member('c3', 'consortium'), member('p1', 'provider')],
  policy: { disclosure: 'count', regulator_min_providers: 2, token_epoch: 1, match: matchPolicySchema.parse({}), token_mode: 'shared-key', oprf_evaluations_per_day: 1_000_000, investigation: investigationPolicySchema.parse({}) }, ...over,
});
const signBy = (m: Manifest, ...ids: string[]) => ids.reduce((doc, id) => addSignature(doc, id, keys[id]!.privateKey), unsignedManifest(m));

describe('membership manifest (JWS General JSON, m of n founders)', () => {
  it('is valid with m founders and not with m − 1', () => {
    expect(verifyManifest(signBy(base(), 'c1', 'c3'), 'm').version).toBe(1);
    expect(() => verifyManifest(signBy(base(), 'c1'), 'm')).toThrow(/needs 2 founders' signatures, has 1/);
    expect(() => verifyManifest(signBy(base()), 'm')).toThrow(/has 0/);
  });

  it('counts one founder once, however often it signs, and ignores non-founders', () => {
    const doc = signBy(base(), 'c1');
    const twice = { ...doc, signatures: [...doc.signatures, ...doc.signatures] };
    expect(() => verifyManifest(twice, 'm')).toThrow(/has 1/);
    expect(() => verifyManifest(signBy(base(), 'c1', 'p1'), 'm')).toThrow(/has 1/);
  });

  it('rejects a payload changed after signing, and a signature by another key under a founder kid', () => {
    const doc = signBy(base(), 'c1', 'c2');
    const changed = { ...doc, payload: Buffer.from(JSON.stringify({ ...base(), threshold: 1 })).toString('base64url') };
    expect(() => verifyManifest(changed, 'm')).toThrow(/has 0/);
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(() => verifyManifest(addSignature(signBy(base(), 'c1'), 'c2', privateKey), 'm')).toThrow(/has 1/);
  });

  it('accepts an update only if newer and signed by the trusted founders', () => {
    const v1 = verifyManifest(signBy(base(), 'c1', 'c2'), 'm');
    const v2 = base({ version: 2, members: base().members.map((m) => (m.id === 'p1' ? { ...m, status: 'revoked' as const } : m)) });
    expect(verifyManifest(signBy(v2, 'c2', 'c3'), 'update', v1).version).toBe(2);
    expect(() => verifyManifest(signBy(base(), 'c1', 'c2'), 'update', v1)).toThrow(/not newer/);
    // New founders cannot bootstrap themselves: the trusted manifest's founders must sign.
    const k = generateNodeKey().key;
    const hijack = base({ version: 3, founders: ['x1'], threshold: 1, members: [...base().members, { ...member('c1', 'consortium'), id: 'x1', jwk: k.publicJwk }] });
    const hijackDoc = addSignature(unsignedManifest(hijack), 'x1', k.privateKey);
    expect(() => verifyManifest(hijackDoc, 'update', v1)).toThrow(/has 0/);
  });

  it('stops counting a revoked founder', () => {
    const m = base({ members: base().members.map((x) => (x.id === 'c3' ? { ...x, status: 'revoked' as const } : x)) });
    expect(validFounderSignatures(signBy(m, 'c1', 'c3'), m)).toEqual(['c1']);
  });

  it('reports malformed manifests with the failing path', () => {
    expect(() => unsignedManifest({ ...base(), threshold: 4 })).toThrow();
    const bad = { payload: Buffer.from(JSON.stringify({ ...base(), founders: ['nobody'] })).toString('base64url'), signatures: [] };
    expect(() => readManifestPayload(bad, 'file.json')).toThrow(/file.json: founders.0: founder 'nobody' is not a member/);
    expect(() => readManifestPayload({ payload: '!!', signatures: [] }, 'f')).toThrow(/f: /);
    const dup = { payload: Buffer.from(JSON.stringify({ ...base(), members: [...base().members, member('p1', 'provider')] })).toString('base64url'), signatures: [] };
    expect(() => readManifestPayload(dup, 'f')).toThrow(/duplicate member id 'p1'/);
  });

  it('makes a revocation take effect on the next lookup', async () => {
    const membership = Membership.fromDocument(signBy(base(), 'c1', 'c2'));
    expect(membership.activeKey('p1')).toBeDefined();
    const v2 = base({ version: 2, members: base().members.map((m) => (m.id === 'p1' ? { ...m, status: 'revoked' as const } : m)) });
    expect(await membership.update(signBy(v2, 'c1', 'c2'))).toBe(true);
    expect(membership.activeKey('p1')).toBeUndefined();
    expect(membership.member('p1')?.status).toBe('revoked');
    await expect(membership.update(signBy(v2, 'c1'))).resolves.toBe(false); // same payload: no-op
  });

  it('applies the same update arriving twice at once exactly once, and keeps it on disk', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'cordon-manifest-')), 'manifest.json');
    await writeFile(path, JSON.stringify(signBy(base(), 'c1', 'c2')));
    const membership = await Membership.load(path);
    const v2 = signBy(base({ version: 2 }), 'c1', 'c2');
    // Pushed by an operator and relayed by a peer in the same moment.
    const outcomes = await Promise.all([membership.update(v2, 'push'), membership.update(v2, 'relay')]);
    expect(outcomes).toEqual([true, false]);
    expect(membership.version).toBe(2);
    expect(JSON.parse(await readFile(path, 'utf8')).payload).toBe(v2.payload);
  });
});
