import { badRequest } from './taxii-error.js';

/**
 * A page position for `next`: the (date_added, object id, version) of the
 * last record sent; the next page starts strictly after it. Opaque to
 * clients (base64url of JSON), checked strictly when it comes back.
 */
export interface Cursor { dateAddedUs: bigint; objectId: string; version: string }

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.dateAddedUs.toString(), c.objectId, c.version])).toString('base64url');
}

export function decodeCursor(token: string): Cursor {
  const invalid = badRequest(`next '${token.slice(0, 80)}' is not a page token this server issued (use the 'next' of the previous response with the same query)`);
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(token)) throw invalid;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'string' || !/^\d{1,19}$/.test(v[0]) || typeof v[1] !== 'string' || typeof v[2] !== 'string') throw invalid;
  return { dateAddedUs: BigInt(v[0]), objectId: v[1], version: v[2] };
}
