import { createHmac } from 'node:crypto';
import { CordonError } from '../../errors.js';
import { parseCaseQuery, type CaseQueryInput } from './case-query.js';

/**
 * What the transparency log says a case asked (log-entries.ts): a
 * commitment, not a hash. Every member reads the log and, in shared-key
 * mode, can compute any identifier's token, so a plain hash of the query
 * would answer "did X investigate Y?" offline. The commitment is
 * HMAC-SHA256 keyed by 32 random bytes the opener keeps (its salt) over the
 * query's canonical bytes: without the salt it says nothing about the query
 * (HMAC is a PRF); with it, it opens to one query only (a second opening
 * would be a SHA-256 collision; the key's length is fixed, so HMAC's
 * zero-padding of short keys gives no second key). The node computes it
 * from the query it matched and the salt the opener sends, and stores the
 * salt nowhere; the opener reveals salt and query to the regulator on
 * escalation (the opening), who checks them against the logged entry
 * (client/logged-query.ts).
 */
export const QUERY_SALT_BYTES = 32;
const DOMAIN = 'cordon-case-query/v1\n';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** The query's canonical bytes: epoch, then each token (kind byte, value), then each template (bands, MinHash values), every list prefixed with its length. */
export function queryBytes(q: CaseQueryInput): Buffer {
  const parts: Uint8Array[] = [u32(q.epoch), u32(q.tokens.length)];
  for (const t of q.tokens) parts.push(Uint8Array.of(t.kind), t.value);
  parts.push(u32(q.templates.length));
  for (const t of q.templates) {
    parts.push(u32(t.bands.length), ...t.bands, u32(t.minhash.length), ...t.minhash.map(u32));
  }
  return Buffer.concat(parts);
}

export function checkSalt(salt: Uint8Array, where: string): Uint8Array {
  if (salt.length !== QUERY_SALT_BYTES) throw new CordonError('INVALID_INPUT', `${where}: the query salt must be ${QUERY_SALT_BYTES} random bytes the opener keeps, got ${salt.length}`);
  return salt;
}

/** HMAC-SHA256(salt, domain ‖ query bytes), hex. */
export function commitQuery(salt: Uint8Array, q: CaseQueryInput): string {
  return createHmac('sha256', checkSalt(salt, 'query commitment')).update(DOMAIN).update(queryBytes(q)).digest('hex');
}

/** What the opener keeps of a case it opened, and reveals to the regulator on escalation (JSON). */
export interface QueryOpening {
  readonly case_id: string;
  /** The consortium node the case was opened at, whose log holds the entry. */
  readonly node: string;
  readonly log_index: number;
  /** base64url. */
  readonly salt: string;
  readonly epoch: number;
  /** Values in hex. */
  readonly tokens: readonly { kind: number; value: string }[];
  /** Bands in base64url. */
  readonly templates: readonly { bands: string[]; minhash: number[] }[];
}

export function makeOpening(f: { caseId: string; node: string; logIndex: number; salt: Uint8Array; query: CaseQueryInput }): QueryOpening {
  return {
    case_id: f.caseId, node: f.node, log_index: f.logIndex, salt: Buffer.from(f.salt).toString('base64url'), epoch: f.query.epoch,
    tokens: f.query.tokens.map((t) => ({ kind: t.kind, value: Buffer.from(t.value).toString('hex') })),
    templates: f.query.templates.map((t) => ({ bands: t.bands.map((b) => Buffer.from(b).toString('base64url')), minhash: [...t.minhash] })),
  };
}

/** An opening as received (from a file or a bundle): its salt and query, checked as the node checks a query. */
export function readOpening(o: unknown, where: string): { opening: QueryOpening; salt: Uint8Array; query: CaseQueryInput } {
  const bad = (what: string) => new CordonError('INVALID_INPUT', `${where}: ${what}`);
  const x = o as Partial<QueryOpening> | null;
  if (!x || typeof x !== 'object' || typeof x.case_id !== 'string' || typeof x.node !== 'string' || typeof x.salt !== 'string') throw bad('needs case_id, node and salt');
  if (!Number.isSafeInteger(x.log_index) || x.log_index! < 0) throw bad('log_index must be a non-negative integer');
  if (!Number.isInteger(x.epoch) || !Array.isArray(x.tokens) || !Array.isArray(x.templates)) throw bad('needs epoch, tokens and templates');
  const salt = checkSalt(Buffer.from(x.salt, 'base64url'), where);
  const query: CaseQueryInput = {
    epoch: x.epoch!,
    tokens: x.tokens.map((t, i) => {
      if (typeof t?.value !== 'string' || !/^([0-9a-f]{2})*$/.test(t.value)) throw bad(`token ${i}: value must be hex`);
      return { kind: Number(t.kind), value: Buffer.from(t.value, 'hex') };
    }),
    templates: x.templates.map((t, i) => {
      if (!Array.isArray(t?.bands) || !Array.isArray(t.minhash) || t.minhash.some((v: unknown) => typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff)) throw bad(`template ${i}: needs bands and 32-bit MinHash values`);
      return { bands: t.bands.map((b: unknown) => Buffer.from(String(b), 'base64url')), minhash: t.minhash };
    }),
  };
  parseCaseQuery(query, where);
  return { opening: x as QueryOpening, salt, query };
}
