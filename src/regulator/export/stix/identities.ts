import { CordonError } from '../../../errors.js';
import type { ExportDirectory } from '../../views/regulator-data.js';
import { isoTimestamp } from '../../views/timestamps.js';
import { stixId } from './ids.js';
import { later, type StixObject } from './objects.js';

/**
 * `created` of identity objects, which have no creation time of their own.
 * Their `modified` is the manifest's issue time, so a renamed organisation
 * is a new version of the same identity.
 */
export const IDENTITY_TIMESTAMP = '2026-01-01T00:00:00.000Z';

export interface Identities {
  consortium: StixObject;
  /** Provider identity objects by provider id. */
  providers: Map<string, StixObject>;
}

/** `identity` objects (identity_class organization) for the consortium and every provider in the directory. */
export function identityObjects(directory: ExportDirectory): Identities {
  const name = directory?.consortium;
  if (typeof name !== 'string' || name.trim() === '') throw new CordonError('INVALID_INPUT', `directory.consortium: must be a non-empty string, got ${JSON.stringify(name)}`);
  const modified = later(IDENTITY_TIMESTAMP, isoTimestamp(directory.issued_at, 'directory.issued_at'));
  const consortium: StixObject = {
    type: 'identity', spec_version: '2.1', id: stixId('identity', `consortium|${name}`), created: IDENTITY_TIMESTAMP, modified,
    name, identity_class: 'organization', roles: ['consortium'],
  };
  if (!Array.isArray(directory.providers)) throw new CordonError('INVALID_INPUT', 'directory.providers: must be an array');
  const providers = new Map<string, StixObject>();
  directory.providers.forEach((p, i) => {
    for (const f of ['id', 'organisation'] as const) {
      if (typeof p?.[f] !== 'string' || p[f].trim() === '') throw new CordonError('INVALID_INPUT', `directory.providers[${i}].${f}: must be a non-empty string, got ${JSON.stringify(p?.[f])}`);
    }
    if (providers.has(p.id)) throw new CordonError('INVALID_INPUT', `directory.providers[${i}].id: duplicate provider id ${JSON.stringify(p.id)}`);
    providers.set(p.id, {
      type: 'identity', spec_version: '2.1', id: stixId('identity', `provider|${p.id}`), created: IDENTITY_TIMESTAMP, modified,
      created_by_ref: consortium.id, name: p.organisation, identity_class: 'organization', roles: ['provider'], x_cordon_provider_id: p.id,
    });
  });
  return { consortium, providers };
}
