import { createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';
import { CordonError, firstIssue } from '../../errors.js';
import { importPublicJwk } from '../../crypto/keys.js';
import { manifestSchema, type GeneralJws, type Manifest, type ManifestInput } from './schema.js';

/**
 * The membership manifest as a JWS in General JSON Serialization: one payload,
 * one signature per founder who signed it. It is valid only with signatures
 * by at least `threshold` distinct founders, checked against the founders'
 * keys of the manifest the node already trusts (or, for the first manifest a
 * node loads, its own founders).
 */
const MANIFEST_TYP = 'cordon-manifest+jws';

const bad = (where: string, what: string) => new CordonError('INVALID_MANIFEST', `${where}: ${what}`);

export function encodeManifestPayload(manifest: Manifest): string {
  return Buffer.from(JSON.stringify(manifest)).toString('base64url');
}

/** An unsigned manifest document: founders add signatures with `addSignature`. */
export function unsignedManifest(manifest: ManifestInput): GeneralJws {
  return { payload: encodeManifestPayload(manifestSchema.parse(manifest)), signatures: [] };
}

/** Adds (or replaces) the signature of founder `kid` over the document's exact payload. */
export function addSignature(doc: GeneralJws, kid: string, privateKey: KeyObject | Parameters<typeof createPrivateKey>[0]): GeneralJws {
  const key = 'asymmetricKeyType' in (privateKey as object) ? (privateKey as KeyObject) : createPrivateKey(privateKey as Parameters<typeof createPrivateKey>[0]);
  const protectedB64 = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, typ: MANIFEST_TYP })).toString('base64url');
  const signature = sign(null, Buffer.from(`${protectedB64}.${doc.payload}`), key).toString('base64url');
  return { payload: doc.payload, signatures: [...doc.signatures.filter((s) => headerKid(s.protected) !== kid), { protected: protectedB64, signature }] };
}

function headerKid(protectedB64: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** Parses the JSON text of a General JWS document, structurally. */
export function parseGeneralJws(text: string, where: string): GeneralJws {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad(where, 'not JSON');
  }
  const d = doc as Partial<GeneralJws>;
  if (!d || typeof d !== 'object' || typeof d.payload !== 'string' || !Array.isArray(d.signatures)) {
    throw bad(where, 'not a JWS in General JSON Serialization (need payload and signatures[])');
  }
  for (const [i, s] of d.signatures.entries()) {
    if (!s || typeof s.protected !== 'string' || typeof s.signature !== 'string') throw bad(where, `signatures[${i}] needs protected and signature`);
  }
  return { payload: d.payload, signatures: d.signatures.map((s) => ({ protected: s.protected, signature: s.signature })) };
}

/** Decodes and validates the payload without checking signatures. */
export function readManifestPayload(doc: GeneralJws, where: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8'));
  } catch {
    throw bad(where, 'payload is not base64url JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw bad(where, firstIssue(parsed.error, 'payload'));
  }
  return parsed.data;
}

/** Which founders of `trusted` validly signed `doc`. */
export function validFounderSignatures(doc: GeneralJws, trusted: Manifest): string[] {
  const signers = new Set<string>();
  for (const s of doc.signatures) {
    let header: { alg?: unknown; kid?: unknown; typ?: unknown };
    try {
      header = JSON.parse(Buffer.from(s.protected, 'base64url').toString('utf8')) as typeof header;
    } catch {
      continue;
    }
    // `null` (and other non-objects) are valid JSON but not a header: skip them like any other bad entry.
    // A founder's signature counts only as a manifest signature (its typ): no other statement it signs can pass for one.
    if (!header || typeof header !== 'object' || header.alg !== 'EdDSA' || header.typ !== MANIFEST_TYP || typeof header.kid !== 'string') continue;
    const founder = trusted.founders.includes(header.kid) ? trusted.members.find((m) => m.id === header.kid) : undefined;
    // A revoked or suspended founder's signature no longer counts.
    if (!founder || founder.status !== 'active') continue;
    const key = importPublicJwk(founder.jwk, `founder ${founder.id}`);
    if (verify(null, Buffer.from(`${s.protected}.${doc.payload}`), key, Buffer.from(s.signature, 'base64url'))) signers.add(header.kid);
  }
  return [...signers];
}

/**
 * Verifies a manifest document. With `trusted`, it must be a newer version
 * signed by `trusted`'s threshold of founders; without, it must carry its
 * own founders' threshold.
 */
export function verifyManifest(doc: GeneralJws, where: string, trusted?: Manifest): Manifest {
  const manifest = readManifestPayload(doc, where);
  const authority = trusted ?? manifest;
  const signers = validFounderSignatures(doc, authority);
  if (signers.length < authority.threshold) {
    throw bad(where, `needs ${authority.threshold} founders' signatures, has ${signers.length} valid (${signers.join(', ') || 'none'})`);
  }
  if (trusted && manifest.version <= trusted.version) {
    throw bad(where, `version ${manifest.version} is not newer than the trusted version ${trusted.version}`);
  }
  return manifest;
}
