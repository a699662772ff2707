import { CordonError } from '../../errors.js';

/**
 * ListReports page tokens: the (received_ms, digest) position of the last
 * report sent, opaque to callers (base64url of "<ms>:<hex digest>").
 */
export interface ReportPosition { receivedMs: bigint; digest: Uint8Array }

export function encodePageToken(p: ReportPosition): string {
  return Buffer.from(`${p.receivedMs}:${Buffer.from(p.digest).toString('hex')}`).toString('base64url');
}

export function decodePageToken(token: string): ReportPosition {
  const m = /^(\d{1,19}):([0-9a-f]{64})$/.exec(/^[A-Za-z0-9_-]{1,200}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '');
  if (!m) throw new CordonError('INVALID_INPUT', 'ListReports: page_token is not one this node issued');
  return { receivedMs: BigInt(m[1]!), digest: Buffer.from(m[2]!, 'hex') };
}
