import { createHash, createHmac } from 'node:crypto';
import { alertIdMacKey } from '../crypto/alert-id-key.js';

/**
 * Deterministic identifiers. Every id is a function of content that every
 * node holding the same chains sees alike (epochs, tokens, provider and
 * record ids), never of arrival order or of a node's own counters: two
 * consortium nodes name the same overlap, campaign and alert with the same
 * id, so a provider watching both deduplicates by id. Ids whose content
 * includes what a provider may not learn are keyed (KeyedIds, below).
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

/** A campaign is named after its founding link (the oldest; see campaigns.ts). */
export function campaignIdOf(foundingLinkId: string): string {
  return `cp-${digest('campaign', [foundingLinkId])}`;
}

export type AlertKind = 'overlap' | 'campaign_growth' | 'withdrawal' | 'feedback' | 'quarantine';

/**
 * Ids keyed with the alert-id key (crypto/alert-id-key.ts): HMAC-SHA256 over
 * a domain label and the id's content. Keyed because the provider that is
 * shown the id knows all of its content but what the disclosure policy
 * withholds from it, and the candidates for that are few:
 * - an alert's id covers its recipient, the overlap and the counterpart (or
 *   the feedback's sender): under `disclosure: count`, an unkeyed hash would
 *   give the counterpart away to a recipient trying each member;
 * - a template link's id covers both records of the pair: an unkeyed hash
 *   would let a provider told of the overlap test (member, record id) guesses
 *   for the other record, and campaign ids derive from link ids.
 * Token link ids stay unkeyed: their content is the token, which every
 * provider told of the link holds. Every matching node holds the same key,
 * so each names alike; providers cannot compute these ids.
 */
export class KeyedIds {
  readonly #macKey: Buffer;

  /** `key`: the 32-byte alert-id key (the caller may zero it afterwards). */
  constructor(key: Uint8Array) {
    this.#macKey = alertIdMacKey(key);
  }

  #mac(domain: string, parts: readonly (string | number)[]): string {
    return createHmac('sha256', this.#macKey).update(`cordon/${domain}/v2\x1f${parts.join('\x1f')}`).digest('hex').slice(0, ID_HEX_CHARS);
  }

  /** One alert's id: its kind, its recipient and the content that makes it what it is. */
  alert(kind: AlertKind, recipient: string, ...facts: (string | number)[]): string {
    return `al-${this.#mac(`alert/${kind}`, [recipient, ...facts])}`;
  }

  /** A template link: one pair of similar templates (order-free). */
  templateLink(epoch: number, a: RecordRef, b: RecordRef): string {
    const [x, y] = [recordKey(a.provider, a.record), recordKey(b.provider, b.record)].sort();
    return `lm-${this.#mac('template-link', [epoch, x!, y!])}`;
  }
}

/** The lookup key of a token or band digest: its first 8 bytes as a signed 64-bit integer. */
export function lookupKey(bytes: Uint8Array, offset = 0): bigint {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 8).readBigInt64BE(0);
}
