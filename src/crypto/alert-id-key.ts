import { hkdfSync, randomBytes } from 'node:crypto';
import { CordonError } from '../errors.js';
import { loadSealedKey, type SealedKeyEnvelope, type SealedKeyKind } from './sealed-key.js';

/**
 * The alert-id key: 32 random bytes under which matching nodes name alerts
 * and template links (match/ids.ts KeyedIds, HMAC-SHA256). An alert's id is a
 * function of facts its recipient mostly knows (its own id, the overlap id)
 * and of facts the disclosure policy may withhold from it (the counterpart of
 * an overlap, the sender of feedback); an unkeyed hash would let the
 * recipient test each member as the withheld fact. Keyed, only holders of
 * this key can.
 *
 * Who holds it: every node that runs the matcher, i.e. consortium nodes (they
 * must name each alert alike, so a provider watching two deduplicates by id)
 * and the regulator (it matches its replica; its database already holds
 * every alert's facts, so the key tells it nothing new). Never providers:
 * `cordon consortium issue-alert-key` and `cordon alert-key install` refuse
 * them. A matching node without it does not start (no silently diverging ids).
 *
 * Distributed like the consortium secret (sealed-key.ts), with its own typ and
 * file so neither can be taken for the other:
 *
 *   typ       'cordon-alert-id-key+jwe'
 *   file      alert-id-key.jwe (0600, in the node's directory)
 *   id        HKDF-SHA256(key, salt = KDF_SALT, info = "cordon alert-id key id v1", 16), hex
 *   MAC key   HKDF-SHA256(key, salt = KDF_SALT, info = "cordon alert id v1", 32)
 *
 * Separate info labels make the public id and the MAC key independent.
 */
export const ALERT_ID_KEY_BYTES = 32;
export const ALERT_ID_KEY_FILE = 'alert-id-key.jwe';
export const ALERT_ID_KEY_TYP = 'cordon-alert-id-key+jwe';
/** Roles whose nodes run the matcher and so name alerts (federation/node/parts/matching.ts). */
export const ALERT_ID_KEY_ROLES = ['consortium', 'regulator'] as const;

const KDF_SALT = 'cordon/alert-id-key/v1';
const KEY_ID_INFO = 'cordon alert-id key id v1';
const MAC_KEY_INFO = 'cordon alert id v1';
const MAC_KEY_BYTES = 32;

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== ALERT_ID_KEY_BYTES) throw new CordonError('INVALID_INPUT', `alert-id key: must be ${ALERT_ID_KEY_BYTES} bytes`);
}

export function generateAlertIdKey(): Uint8Array {
  return new Uint8Array(randomBytes(ALERT_ID_KEY_BYTES));
}

/** A public name for the key: nodes compare it to check they name alerts alike. */
export function alertIdKeyId(key: Uint8Array): string {
  checkKey(key);
  return Buffer.from(hkdfSync('sha256', key, KDF_SALT, KEY_ID_INFO, 16)).toString('hex');
}

/** The HMAC-SHA256 key alert ids are computed under. */
export function alertIdMacKey(key: Uint8Array): Buffer {
  checkKey(key);
  return Buffer.from(hkdfSync('sha256', key, KDF_SALT, MAC_KEY_INFO, MAC_KEY_BYTES));
}

export const installAlertIdKeyHint = (nodeDir: string): string =>
  `every consortium and regulator node needs the alert-id key: a founder runs cordon consortium issue-alert-key --manifest MANIFEST --out DIR, then cordon alert-key install --node ${nodeDir} DIR/<id>.alert-id-key.jwe`;

export const ALERT_ID_KEY_KIND: SealedKeyKind = {
  noun: 'alert-id key',
  label: 'alert-id key',
  typ: ALERT_ID_KEY_TYP,
  file: ALERT_ID_KEY_FILE,
  bytes: ALERT_ID_KEY_BYTES,
  idOf: alertIdKeyId,
  installHint: installAlertIdKeyHint,
};

/** Decrypts the node's installed alert-id key (NODE_DIR/alert-id-key.jwe with NODE_DIR/enc-key.jwk). */
export async function loadAlertIdKey(nodeDir: string, options: { memberId?: string } = {}): Promise<{ key: Uint8Array; envelope: SealedKeyEnvelope }> {
  return loadSealedKey(ALERT_ID_KEY_KIND, nodeDir, options);
}
