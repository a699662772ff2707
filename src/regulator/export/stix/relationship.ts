import { stixId } from './ids.js';
import type { StixObject } from './objects.js';

/**
 * A relationship of a type the STIX 2.1 spec defines for the pair: indicator
 * `indicates` campaign; campaign `targets` identity (the providers whose
 * models the campaign was distilling). Its content never changes, so its one
 * version is stamped with the campaign's creation.
 */
export function relationship(type: 'indicates' | 'targets', source: string, target: string, created: string, createdBy: string): StixObject {
  return {
    type: 'relationship', spec_version: '2.1', id: stixId('relationship', `${type}|${source}|${target}`), created, modified: created,
    created_by_ref: createdBy, relationship_type: type, source_ref: source, target_ref: target,
  };
}
