import type { IndicatorToken } from '../../views/indicator-token.js';
import { stixId } from './ids.js';
import { earlier, later, type StixObject } from './objects.js';

/**
 * `indicator` objects, one per distinct (kind, epoch, token), however many
 * campaigns and reports carry it.
 *
 * Tokens are keyed PRF outputs, not hashes of anything a recipient could
 * recompute, so they are not put in a `hashes` dictionary (that would invite
 * matching them against SHA-256 of e-mail addresses). They are a custom
 * cyber-observable type, `x-cordon-token`, in a STIX pattern (STIX patterning
 * allows custom object types):
 *   [x-cordon-token:kind = 'email' AND x-cordon-token:epoch = 3 AND x-cordon-token:value = '<64 hex>']
 *
 * Version: created = the earliest creation of anything carrying it, modified =
 * the latest. An indicator only withdrawn campaigns carry is revoked.
 */
interface Acc {
  id: string;
  token: IndicatorToken;
  created: string;
  modified: string;
  /** Carried by a report or an active campaign. */
  live: boolean;
}

export class IndicatorObjects {
  readonly #byKey = new Map<string, Acc>();

  /** Notes that a source (campaign or report) created at `created`, last versioned at `modified`, carries `token`; returns the indicator's id. */
  add(token: IndicatorToken, created: string, modified: string, live: boolean): string {
    const key = `${token.kind}|${token.epoch}|${token.token_hex}`;
    const acc = this.#byKey.get(key);
    if (acc) {
      acc.created = earlier(acc.created, created);
      acc.modified = later(acc.modified, modified);
      acc.live ||= live;
      return acc.id;
    }
    const id = stixId('indicator', key);
    this.#byKey.set(key, { id, token, created, modified, live });
    return id;
  }

  objects(createdBy: string): StixObject[] {
    return [...this.#byKey.values()].map(({ id, token: t, created, modified, live }) => {
      const o: StixObject = {
        type: 'indicator', spec_version: '2.1', id, created, modified, created_by_ref: createdBy,
        name: `Cordon ${t.kind} token (epoch ${t.epoch})`,
        description:
          'Keyed PRF token of an account identifier shared in the Cordon federation; not a hash of the identifier: ' +
          'only consortium members holding the epoch key can compute matching tokens.',
        indicator_types: ['anomalous-activity'],
        pattern: `[x-cordon-token:kind = '${t.kind}' AND x-cordon-token:epoch = ${t.epoch} AND x-cordon-token:value = '${t.token_hex}']`,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: created,
        x_cordon_token_kind: t.kind,
        x_cordon_token_epoch: t.epoch,
      };
      if (!live) o.revoked = true;
      return o;
    });
  }
}
