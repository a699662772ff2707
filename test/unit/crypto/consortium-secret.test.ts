import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSORTIUM_SECRET_FILE,
  decryptConsortiumSecret,
  encryptConsortiumSecret,
  generateConsortiumSecret,
  inspectSecretJwe,
  loadConsortiumSecret,
  loadTokenPrf,
  writeSecretJweFile,
} from '../../../src/crypto/consortium-secret.js';
import {
  createNodeEncryptionKey,
  ENC_KEY_FILE,
  ENC_PUBLIC_FILE,
  encKeyThumbprint,
  generateEncryptionKey,
  importEncPublicJwk,
  parseEncPublicJwk,
  readEncryptionKey,
  writeEncPrivateJwk,
} from '../../../src/crypto/encryption-key.js';
import { generateNodeKey } from '../../../src/crypto/keys.js';
import { consortiumSecretId, SharedKeyPrf } from '../../../src/crypto/prf/shared-key-prf.js';
import { CordonError } from '../../../src/errors.js';

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

async function rejection(p: Promise<unknown>): Promise<CordonError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CordonError);
    return err as CordonError;
  }
  throw new Error('expected a rejection');
}

/** Replaces one base64url character in the middle of part `index` of a compact JWE. */
function tamper(jwe: string, index: number): string {
  const parts = jwe.split('.');
  const part = parts[index]!;
  const at = Math.floor(part.length / 2);
  parts[index] = part.slice(0, at) + (part[at] === 'A' ? 'B' : 'A') + part.slice(at + 1);
  return parts.join('.');
}

describe('X25519 encryption keys', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cordon-enc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the private JWK 0600 and reads it back', async () => {
    const { key, privateJwk } = generateEncryptionKey();
    expect(privateJwk).toMatchObject({ kty: 'OKP', crv: 'X25519' });
    const path = join(dir, 'k1.jwk');
    await writeEncPrivateJwk(path, privateJwk);
    expect(await mode(path)).toBe(0o600);
    const read = await readEncryptionKey(path);
    expect(read.publicJwk).toEqual(key.publicJwk);
    expect(read.thumbprint).toBe(key.thumbprint);
    await expect(writeEncPrivateJwk(path, privateJwk)).rejects.toThrow(/EEXIST/);
  });

  it('creates a node key pair: enc-key.jwk (0600) and enc.pub.jwk', async () => {
    const node = join(dir, 'node');
    await (await import('node:fs/promises')).mkdir(node);
    const pub = await createNodeEncryptionKey(node);
    expect(await mode(join(node, ENC_KEY_FILE))).toBe(0o600);
    const pubFile = JSON.parse(await readFile(join(node, ENC_PUBLIC_FILE), 'utf8')) as unknown;
    expect(pubFile).toEqual(pub);
    expect(pubFile).not.toHaveProperty('d');
    expect((await readEncryptionKey(join(node, ENC_KEY_FILE))).publicJwk).toEqual(pub);
    await expect(createNodeEncryptionKey(node)).rejects.toThrow();
  });

  it('computes the RFC 7638 thumbprint', async () => {
    const { key } = generateEncryptionKey();
    expect(encKeyThumbprint(key.publicJwk)).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
  });

  it('validates public JWKs', () => {
    const { key, privateJwk } = generateEncryptionKey();
    expect(parseEncPublicJwk({ ...key.publicJwk, kid: 'x' }, 'k')).toEqual(key.publicJwk);
    expect(importEncPublicJwk(key.publicJwk, 'k').asymmetricKeyType).toBe('x25519');
    const bad: [unknown, RegExp][] = [
      [null, /not a JWK/],
      ['{}', /not a JWK/],
      [generateNodeKey().key.publicJwk, /not an X25519 encryption key.*crv Ed25519/],
      [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }, /not an X25519/],
      [{ kty: 'OKP', crv: 'X25519', x: 'short' }, /x must be 32 bytes/],
      [privateJwk, /holds a private key/],
    ];
    for (const [jwk, message] of bad) expect(() => parseEncPublicJwk(jwk, 'member p1')).toThrow(message);
  });

  it('refuses a private key file whose x does not match d', async () => {
    const a = generateEncryptionKey().privateJwk;
    const b = generateEncryptionKey().privateJwk;
    const path = join(dir, 'mixed.jwk');
    await writeFile(path, JSON.stringify({ ...a, x: b.x }));
    await expect(readEncryptionKey(path)).rejects.toThrow(/x does not match d/);
    await expect(readEncryptionKey(join(dir, 'none.jwk'))).rejects.toThrow(/does not exist/);
  });
});

describe('consortium secret JWE', () => {
  const alice = generateEncryptionKey().key;
  const bob = generateEncryptionKey().key;
  const secret = generateConsortiumSecret();
  let jwe: string;
  beforeAll(async () => {
    jwe = await encryptConsortiumSecret(secret, { memberId: 'provider-a', recipientJwk: alice.publicJwk, version: 3, consortium: 'test' });
  });

  it('round-trips, with the header describing the secret', async () => {
    expect(secret).toHaveLength(32);
    const header = decodeProtectedHeader(jwe);
    expect(header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', typ: 'cordon-secret+jwe', kid: 'provider-a', cordon_secret_version: 3, cordon_consortium: 'test' });
    const { secret: out, envelope } = await decryptConsortiumSecret(jwe, alice, { memberId: 'provider-a' });
    expect(Buffer.from(out).equals(Buffer.from(secret))).toBe(true);
    expect(envelope).toMatchObject({ memberId: 'provider-a', version: 3, consortium: 'test', secretId: consortiumSecretId(secret), recipientThumbprint: alice.thumbprint });
    expect(inspectSecretJwe(jwe)).toEqual(envelope);
    // Nothing of the secret in the clear.
    for (const enc of ['hex', 'base64url', 'base64'] as const) expect(jwe).not.toContain(Buffer.from(secret).toString(enc).slice(0, 12));
  });

  it('fails for the wrong recipient', async () => {
    let err = await rejection(decryptConsortiumSecret(jwe, bob));
    expect(err.message).toMatch(/wrong recipient: encrypted to encryption key/);
    err = await rejection(decryptConsortiumSecret(jwe, alice, { memberId: 'provider-b' }));
    expect(err.message).toMatch(/wrong recipient: addressed to member 'provider-a', not 'provider-b'/);
    // Even with the header rewritten to name bob's key, bob cannot decrypt (and the edit is detected).
    const parts = jwe.split('.');
    const header = { ...decodeProtectedHeader(jwe), cordon_recipient: bob.thumbprint };
    parts[0] = Buffer.from(JSON.stringify(header)).toString('base64url');
    err = await rejection(decryptConsortiumSecret(parts.join('.'), bob));
    expect(err.code).toBe('INVALID_SIGNATURE');
  });

  it('detects tampering in every part', async () => {
    for (const index of [1, 2, 3, 4]) {
      const err = await rejection(decryptConsortiumSecret(tamper(jwe, index), alice));
      expect(err.code, `part ${index}`).toBe('INVALID_SIGNATURE');
      expect(err.message).toMatch(/altered or is corrupt/);
    }
    // A header edit that still parses (a different version) breaks the authentication too.
    const parts = jwe.split('.');
    parts[0] = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(jwe), cordon_secret_version: 4 })).toString('base64url');
    expect((await rejection(decryptConsortiumSecret(parts.join('.'), alice))).code).toBe('INVALID_SIGNATURE');
  });

  it('refuses what is not a secret JWE', async () => {
    const jws = 'eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln';
    const notSecret = [Buffer.from(JSON.stringify({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' })).toString('base64url'), 'a', 'b', 'c', 'd'].join('.');
    const cases: [string, RegExp][] = [
      ['hello', /not a compact JWE/],
      ['', /not a compact JWE/],
      [jws, /not a compact JWE/],
      ['{"protected":"x"}', /not a compact JWE/],
      ['!!!.a.b.c.d', /not a compact JWE/],
      [notSecret, /not a Cordon consortium secret/],
    ];
    for (const [text, message] of cases) {
      const err = await rejection(decryptConsortiumSecret(text, alice));
      expect(err.code, text).toBe('INVALID_INPUT');
      expect(err.message).toMatch(message);
    }
    await expect(encryptConsortiumSecret(secret, { memberId: 'p', recipientJwk: generateNodeKey().key.publicJwk })).rejects.toThrow(/not an X25519/);
  });

  it('is stored 0600 and loaded into a token PRF at node start', async () => {
    const node = await mkdtemp(join(tmpdir(), 'cordon-secret-'));
    try {
      await expect(loadTokenPrf(node)).rejects.toThrow(/encryption key .*does not exist/);
      const pub = await createNodeEncryptionKey(node);
      await expect(loadTokenPrf(node)).rejects.toThrow(/cordon secret install/);
      const own = await encryptConsortiumSecret(secret, { memberId: 'provider-a', recipientJwk: pub });
      await writeSecretJweFile(join(node, CONSORTIUM_SECRET_FILE), own);
      expect(await mode(join(node, CONSORTIUM_SECRET_FILE))).toBe(0o600);
      expect((await readFile(join(node, CONSORTIUM_SECRET_FILE), 'utf8')).trim()).toBe(own);
      const prf = await loadTokenPrf(node, { memberId: 'provider-a' });
      const direct = new SharedKeyPrf(secret);
      expect(prf.secretId).toBe(direct.secretId);
      expect(Buffer.from(prf.tokenize(5, 'email', 'a@example.com')).equals(Buffer.from(direct.tokenize(5, 'email', 'a@example.com')))).toBe(true);
      expect((await loadConsortiumSecret(node)).envelope.secretId).toBe(direct.secretId);
      await expect(loadTokenPrf(node, { memberId: 'provider-b' })).rejects.toThrow(/wrong recipient/);
      // Someone else's secret file in place: refused.
      await writeSecretJweFile(join(node, CONSORTIUM_SECRET_FILE), jwe);
      await expect(loadTokenPrf(node)).rejects.toThrow(/wrong recipient/);
    } finally {
      await rm(node, { recursive: true, force: true });
    }
  });
});
