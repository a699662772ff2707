import { describe, expect, it } from 'vitest';
import { generateEncryptionKey } from '../../../src/crypto/encryption-key.js';
import { entryFor, keepRecipients, open, parseCaseJwe, recipientIds, seal } from '../../../src/investigate/cases/envelope.js';

const keys = Object.fromEntries(['p1', 'p2', 'p3'].map((id) => [id, generateEncryptionKey().key]));
const to = (...ids: string[]) => ids.map((id) => ({ id, encJwk: keys[id]!.publicJwk }));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('case message envelopes (General JSON JWE, ECDH-ES+A256KW X25519, A256GCM)', () => {
  it('is readable by each recipient, and after a relay drops entries only by those kept', async () => {
    const jwe = await seal(new TextEncoder().encode('why we ask'), 'purpose', 'p1', to('p1', 'p2', 'p3'));
    expect(jwe).not.toContain('why we ask');
    const parsed = parseCaseJwe(jwe, 'test', { kind: 'purpose', from: 'p1' });
    expect(recipientIds(parsed)).toEqual(['p1', 'p2', 'p3']);
    const kept = JSON.stringify(keepRecipients(parsed, new Set(['p1', 'p2'])));
    expect(text((await open(kept, 'p2', keys.p2!.privateKey, 't')).plaintext)).toBe('why we ask');
    expect(await open(kept, 'p1', keys.p1!.privateKey, 't')).toMatchObject({ kind: 'purpose', from: 'p1' });
    await expect(open(kept, 'p3', keys.p3!.privateKey, 't')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('hands each reader only its own entry: the same size whoever else reads it', async () => {
    const plain = new TextEncoder().encode('why we ask');
    const many = await seal(plain, 'purpose', 'p1', to('p1', 'p2', 'p3'));
    const fewer = await seal(plain, 'purpose', 'p1', to('p1', 'p2'));
    const seen = entryFor(many, 'p2', 't');
    expect(recipientIds(parseCaseJwe(seen, 't', { kind: 'purpose', from: 'p1' }))).toEqual(['p2']);
    expect(text((await open(seen, 'p2', keys.p2!.privateKey, 't')).plaintext)).toBe('why we ask');
    const kept = (n: string[]) => JSON.stringify(keepRecipients(parseCaseJwe(many, 't', { kind: 'purpose', from: 'p1' }), new Set(n)));
    expect(new Set([entryFor(many, 'p1', 't'), entryFor(kept(['p1']), 'p1', 't'), entryFor(kept(['p1', 'p3']), 'p1', 't')]).size).toBe(1);
    expect(entryFor(many, 'p1', 't').length).toBe(entryFor(fewer, 'p1', 't').length);
    expect(() => entryFor(fewer, 'p3', 't')).toThrow(/no entry for 'p3'/);
  });

  it('refuses a message of the wrong kind or sender, duplicate recipients, and non-JWE input', async () => {
    const jwe = await seal(new Uint8Array([1]), 'answer', 'p2', to('p1', 'p2'));
    expect(() => parseCaseJwe(jwe, 'w', { kind: 'purpose', from: 'p2' })).toThrow(/is a 'answer' message, expected 'purpose'/);
    expect(() => parseCaseJwe(jwe, 'w', { kind: 'answer', from: 'p3' })).toThrow(/names sender 'p2', but the caller is 'p3'/);
    const j = JSON.parse(jwe);
    j.recipients.push(j.recipients[0]);
    expect(() => parseCaseJwe(JSON.stringify(j), 'w', { kind: 'answer', from: 'p2' })).toThrow(/recipient 'p1' appears twice/);
    expect(() => parseCaseJwe('plain text', 'w', { kind: 'answer', from: 'p2' })).toThrow(/not JSON/);
    expect(() => parseCaseJwe('', 'w', { kind: 'answer', from: 'p2' })).toThrow(/bytes of JWE JSON/);
  });

  it('detects a tampered ciphertext', async () => {
    const j = JSON.parse(await seal(new TextEncoder().encode('answer'), 'answer', 'p2', to('p1')));
    j.ciphertext = j.ciphertext.slice(0, -2) + (j.ciphertext.endsWith('AA') ? 'BA' : 'AA');
    await expect(open(JSON.stringify(j), 'p1', keys.p1!.privateKey, 't')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
