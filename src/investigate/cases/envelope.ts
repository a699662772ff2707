import type { KeyObject } from 'node:crypto';
import { flattenedDecrypt, GeneralEncrypt } from 'jose';
import { importEncPublicJwk } from '../../crypto/encryption-key.js';
import { CordonError } from '../../errors.js';

/**
 * End-to-end encryption of case messages (DESIGN.md §6): a JWE in General
 * JSON Serialization (ECDH-ES+A256KW with X25519, A256GCM), one recipient
 * entry per reader, each entry's unprotected header naming the reader's
 * member id as `kid`. Every reader unwraps the same content key, so a relay
 * may drop entries (`keepRecipients`) without touching the ciphertext, and
 * still cannot read it.
 *
 * The list of entries is the list of readers, and for a purpose that is the
 * list of providers whose records matched: a reader is therefore handed only
 * its own entry (`entryFor`), so what it receives is the same whoever else
 * can read the message (never tell the opener, or one holder, who was asked).
 */
export const CASE_JWE_TYP = 'cordon-case+jwe';
const ALG = 'ECDH-ES+A256KW';
const ENC = 'A256GCM';
/** Room for a purpose or an answer with its signed context and a few hundred recipients; far below the gRPC message limit. */
export const MAX_CASE_JWE_BYTES = 256 * 1024;

export interface EnvelopeRecipient {
  readonly id: string;
  /** The member's public X25519 JWK (its manifest entry's enc_jwk). */
  readonly encJwk: unknown;
}

interface Recipient { header: { kid: string; [k: string]: unknown }; encrypted_key: string }
interface CaseJwe { protected: string; recipients: Recipient[]; iv: string; ciphertext: string; tag: string }

/** What a message is, bound into the authenticated protected header. */
export type EnvelopeKind = 'purpose' | 'answer' | 'escalation';

export async function seal(plaintext: Uint8Array, kind: EnvelopeKind, from: string, recipients: readonly EnvelopeRecipient[]): Promise<string> {
  if (recipients.length === 0) throw new CordonError('INVALID_INPUT', `case ${kind}: no recipients to encrypt to`);
  const enc = new GeneralEncrypt(plaintext).setProtectedHeader({ enc: ENC, typ: CASE_JWE_TYP, cordon_kind: kind, cordon_from: from });
  for (const r of recipients) enc.addRecipient(importEncPublicJwk(r.encJwk, `encryption key of '${r.id}'`)).setUnprotectedHeader({ alg: ALG, kid: r.id });
  return JSON.stringify(await enc.encrypt());
}

/**
 * Checks the shape of a case JWE as it arrives at a node (which cannot
 * decrypt it): General JSON with a protected header of the expected kind
 * and sender, and one `kid`-named entry per recipient, none twice.
 */
export function parseCaseJwe(text: string, where: string, expect: { kind: EnvelopeKind; from: string }): CaseJwe {
  const bad = (what: string) => new CordonError('INVALID_INPUT', `${where}: ${what}`);
  if (text.length === 0 || text.length > MAX_CASE_JWE_BYTES) throw bad(`must be 1–${MAX_CASE_JWE_BYTES} bytes of JWE JSON`);
  let j: Partial<CaseJwe> & Record<string, unknown>;
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    throw bad('not JSON (need a JWE in General JSON Serialization)');
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw bad('not a JSON object');
  for (const f of ['protected', 'iv', 'ciphertext', 'tag'] as const) if (typeof j[f] !== 'string') throw bad(`member '${f}' must be a string`);
  const extra = Object.keys(j).filter((k) => !['protected', 'iv', 'ciphertext', 'tag', 'recipients'].includes(k));
  if (extra.length > 0) throw bad(`unexpected member(s) ${extra.join(', ')}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(j.protected!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad('protected header is not base64url JSON');
  }
  if (header.enc !== ENC || header.typ !== CASE_JWE_TYP) throw bad(`protected header must have enc ${ENC} and typ ${CASE_JWE_TYP}`);
  if (header.cordon_kind !== expect.kind) throw bad(`is a '${String(header.cordon_kind)}' message, expected '${expect.kind}'`);
  if (header.cordon_from !== expect.from) throw bad(`names sender '${String(header.cordon_from)}', but the caller is '${expect.from}'`);
  if (!Array.isArray(j.recipients) || j.recipients.length === 0) throw bad('needs a non-empty recipients array');
  const seen = new Set<string>();
  for (const [i, r] of j.recipients.entries()) {
    const h = (r as Partial<Recipient>)?.header;
    if (!h || typeof h.kid !== 'string' || h.alg !== ALG || typeof (r as Recipient).encrypted_key !== 'string') throw bad(`recipient ${i} needs header.kid, header.alg ${ALG} and encrypted_key`);
    if (seen.has(h.kid)) throw bad(`recipient '${h.kid}' appears twice`);
    seen.add(h.kid);
  }
  return j as CaseJwe;
}

export function recipientIds(jwe: CaseJwe): string[] {
  return jwe.recipients.map((r) => r.header.kid);
}

/** The same message readable only by `keep` (entries for anyone else dropped). */
export function keepRecipients(jwe: CaseJwe, keep: ReadonlySet<string>): CaseJwe {
  return { ...jwe, recipients: jwe.recipients.filter((r) => keep.has(r.header.kid)) };
}

/**
 * The stored message as `reader` receives it: the ciphertext with the
 * reader's own recipient entry and no other, so its size and its entries do
 * not depend on who else reads it. (jose puts the ephemeral key in the
 * protected header when sealing to one reader, in each entry when sealing to
 * several: a purpose is always sealed to every provider, so that shape too
 * is the same whoever matched.)
 */
export function entryFor(stored: string, reader: string, where: string): string {
  const jwe = JSON.parse(stored) as CaseJwe;
  const kept = keepRecipients(jwe, new Set([reader]));
  if (kept.recipients.length !== 1) throw new CordonError('INTERNAL', `${where}: the stored message has no entry for '${reader}'`);
  return JSON.stringify(kept);
}

/** Decrypts the entry addressed to `selfId`; the protected header's kind and sender are returned with the plaintext. */
export async function open(text: string, selfId: string, key: KeyObject, where: string): Promise<{ plaintext: Uint8Array; kind: string; from: string }> {
  let j: CaseJwe;
  try {
    j = JSON.parse(text) as CaseJwe;
  } catch {
    throw new CordonError('INVALID_INPUT', `${where}: not JSON`);
  }
  const mine = j.recipients?.find((r) => r.header?.kid === selfId);
  if (!mine) throw new CordonError('PERMISSION_DENIED', `${where}: not addressed to '${selfId}'`);
  try {
    const r = await flattenedDecrypt({ protected: j.protected, header: mine.header, encrypted_key: mine.encrypted_key, iv: j.iv, ciphertext: j.ciphertext, tag: j.tag }, key);
    return { plaintext: r.plaintext, kind: String(r.protectedHeader?.cordon_kind), from: String(r.protectedHeader?.cordon_from) };
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `${where}: cannot be decrypted with '${selfId}''s encryption key (${(err as Error).message})`);
  }
}
