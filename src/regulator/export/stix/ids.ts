import { createHash } from 'node:crypto';
import { CordonError } from '../../../errors.js';

/**
 * UUIDv5 namespace for every Cordon STIX id. Fixed forever: changing it would
 * give every exported object a new id and break deduplication downstream.
 */
export const CORDON_STIX_NAMESPACE = 'd90d6c5b-6de6-4b57-8f35-a55a33bbcc5c';

/** RFC 9562 UUIDv5 (SHA-1, name-based) of `name` under `namespace`. */
export function uuidv5(name: string, namespace: string = CORDON_STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new CordonError('INVALID_INPUT', `uuidv5: bad namespace ${namespace}`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = h.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The STIX id of an object of `type` with natural key `key` (a campaign id, a
 * token's kind|epoch|hex, a report digest): re-exports give the same id, so a
 * consumer sees a new version of the same object rather than a new object.
 */
export function stixId(type: string, key: string): string {
  return `${type}--${uuidv5(`${type}|${key}`)}`;
}
