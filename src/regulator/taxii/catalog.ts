import type { Sql } from 'postgres';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { stixObjects } from '../export/stix/bundle.js';
import type { RegulatorDataSource } from '../views/regulator-data.js';
import { FEDERATION_COLLECTION_ID, REFRESH_MIN_INTERVAL_MS } from './constants.js';
import { addVersions, heldVersions, objectExists, queryVersions, type ServedVersion } from './object-store.js';
import type { TaxiiQuery } from './query.js';

/**
 * What the TAXII server serves: the regulator's STIX export, kept as object
 * versions with a server-assigned date_added (TAXII's notion of when an
 * object joined the collection). A refresh re-exports the regulator's data
 * and adds every (id, modified) it does not hold yet; nothing is ever
 * changed or removed, so pages and added_after stay consistent for clients.
 */
export class TaxiiCatalog {
  readonly collection = FEDERATION_COLLECTION_ID;
  #held: Set<string> | undefined;
  #refreshing: Promise<void> | undefined;
  #lastRefresh = -Infinity;

  constructor(
    private readonly sql: Sql,
    private readonly source: RegulatorDataSource,
    private readonly log: Logger,
    private readonly minIntervalMs = REFRESH_MIN_INTERVAL_MS,
  ) {}

  /**
   * Brings the store up to date with the regulator's data unless it was
   * refreshed in the last minIntervalMs; concurrent callers share one
   * refresh. A failing export is logged and the store served as it is.
   */
  async fresh(): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    if (Date.now() - this.#lastRefresh < this.minIntervalMs) return;
    this.#refreshing = this.#refresh()
      .catch((err: unknown) => this.log.error('taxii: refresh failed; serving the objects already held', { error: errorMessage(err) }))
      .finally(() => {
        this.#lastRefresh = Date.now();
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** Re-exports and adds new versions now; returns how many were added. */
  async refresh(): Promise<number> {
    const before = this.#held?.size ?? 0;
    await this.#refresh();
    this.#lastRefresh = Date.now();
    return (this.#held?.size ?? 0) - before;
  }

  async #refresh(): Promise<void> {
    this.#held ??= await heldVersions(this.sql, this.collection);
    const held = this.#held;
    const objects = stixObjects(await this.source.snapshot());
    const added = objects
      .filter((o) => !held.has(`${o.id}|${o.modified}`))
      .map((o) => ({ objectId: o.id, version: o.modified, type: o.type, object: JSON.stringify(o) }));
    if (added.length === 0) return;
    await addVersions(this.sql, this.collection, added);
    for (const a of added) held.add(`${a.objectId}|${a.version}`);
    this.log.debug('taxii: added object versions', { count: added.length });
  }

  query(q: TaxiiQuery, objectId?: string): Promise<{ rows: ServedVersion[]; more: boolean }> {
    return queryVersions(this.sql, this.collection, q, objectId);
  }

  has(objectId: string): Promise<boolean> {
    return objectExists(this.sql, this.collection, objectId);
  }
}
