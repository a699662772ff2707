import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { CordonError } from '../../errors.js';

/**
 * The regulator's analysts who may read TAXII (migration 006, taxii_users).
 * Each has a name and a random 256-bit token, shown once when created and
 * stored only as its SHA-256 (high entropy: a plain hash cannot be reversed
 * by guessing). A client authenticates with HTTP Basic (name and token as
 * user and password, what TAXII clients such as taxii2-client send) or with
 * `Authorization: Bearer <token>`.
 */
export const TAXII_USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const TOKEN_BYTES = 32;

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export interface TaxiiUser { name: string; createdAt: Date; revokedAt: Date | null }

export class TaxiiUsers {
  constructor(private readonly sql: Sql) {}

  /** Creates a user and returns its token (the only time it is ever shown). */
  async add(name: string): Promise<string> {
    if (!TAXII_USER_NAME.test(name)) throw new CordonError('INVALID_INPUT', `TAXII user name '${name}': must be 1–63 chars of a-z 0-9 . _ -, starting with a letter or digit`);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const rows = await this.sql`INSERT INTO taxii_users (name, token_sha256) VALUES (${name}, ${sha256(token)}) ON CONFLICT (name) DO NOTHING RETURNING name`;
    if (rows.length === 0) throw new CordonError('INVALID_INPUT', `TAXII user '${name}' exists already (revoke it first to issue a new token under a new name)`);
    return token;
  }

  /** Revokes a user's token at once. */
  async revoke(name: string): Promise<void> {
    const rows = await this.sql`UPDATE taxii_users SET revoked_at = now() WHERE name = ${name} AND revoked_at IS NULL RETURNING name`;
    if (rows.length === 0) throw new CordonError('NOT_FOUND', `no active TAXII user '${name}'`);
  }

  async list(): Promise<TaxiiUser[]> {
    const rows = await this.sql<{ name: string; created_at: Date; revoked_at: Date | null }[]>`SELECT name, created_at, revoked_at FROM taxii_users ORDER BY name`;
    return rows.map((r) => ({ name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  /**
   * The active user a credential belongs to, or undefined. With Basic auth the
   * name must match too. Lookup is by the token's hash, so response time does
   * not depend on how much of a guessed token is right.
   */
  async authenticate(token: string, name?: string): Promise<string | undefined> {
    if (token.length === 0 || token.length > 256) return undefined;
    const [row] = await this.sql<{ name: string }[]>`SELECT name FROM taxii_users WHERE token_sha256 = ${sha256(token)} AND revoked_at IS NULL`;
    if (!row || (name !== undefined && row.name !== name)) return undefined;
    return row.name;
  }
}

/** The credential in an Authorization header: Basic name:token, or Bearer token. */
export function credentialOf(header: string | undefined): { token: string; name?: string } | undefined {
  if (!header) return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value ? { token: value } : undefined;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 ? { name: decoded.slice(0, colon), token: decoded.slice(colon + 1) } : undefined;
  }
  return undefined;
}
