import { createHash } from 'node:crypto';

/**
 * Deterministic identifiers. Every id is a hash of content that every node
 * holding the same chains sees alike (epochs, tokens, provider and record
 * ids), never of arrival order or of a node's own counters: two consortium
 * nodes name the same overlap, campaign and alert with the same id, so a
 * provider watching both deduplicates by id.
 *
 * Parts are joined with a unit separator (0x1f), which no part contains
 * (node and record ids are restricted; tokens are hex).
 */
const ID_HEX_CHARS = 32; // 128 bits: collisions are out of reach at any plausible volume.

function digest(domain: string, parts: readonly (string | number)[]): string {
  return createHash('sha256').update(`cordon/${domain}/v1\x1f${parts.join('\x1f')}`).digest('hex').slice(0, ID_HEX_CHARS);
}

export interface RecordRef { readonly provider: string; readonly record: string }

/** Key of a record in maps and sets. */
export const recordKey = (provider: string, record: string): string => `${provider}\x1f${record}`;
export const parseRecordKey = (key: string): RecordRef => {
  const i = key.indexOf('\x1f');
  return { provider: key.slice(0, i), record: key.slice(i + 1) };
};

/** A token link: every record holding this token in this epoch. */
export function tokenLinkId(epoch: number, kind: number, token: Uint8Array): string {
  return `lt-${digest('token-link', [epoch, kind, Buffer.from(token).toString('hex')])}`;
}

/** A template link: one pair of similar templates (order-free). */
export function templateLinkId(epoch: number, a: RecordRef, b: RecordRef): string {
  const [x, y] = [recordKey(a.provider, a.record), recordKey(b.provider, b.record)].sort();
  return `lm-${digest('template-link', [epoch, x!, y!])}`;
}

/** A campaign is named after its founding link (the oldest; see campaigns.ts). */
export function campaignIdOf(foundingLinkId: string): string {
  return `cp-${digest('campaign', [foundingLinkId])}`;
}

export type AlertKind = 'overlap' | 'campaign_growth' | 'withdrawal' | 'feedback' | 'quarantine';

/** One alert's id: its kind, its recipient and the content that makes it what it is. */
export function alertId(kind: AlertKind, recipient: string, ...facts: (string | number)[]): string {
  return `al-${digest(`alert/${kind}`, [recipient, ...facts])}`;
}

/** The lookup key of a token or band digest: its first 8 bytes as a signed 64-bit integer. */
export function lookupKey(bytes: Uint8Array, offset = 0): bigint {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 8).readBigInt64BE(0);
}
