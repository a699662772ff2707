import { uuidv5 } from '../export/stix/ids.js';

/** TAXII 2.1 media types (spec §1.6.8). Every TAXII resource, the objects envelope included, is taxii+json. */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
/** What the collection holds (its media_types and each manifest record's media_type). */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

/** The discovery endpoint; the spec's conventional location. */
export const DISCOVERY_PATH = '/taxii2/';
/** The one API root's name under /taxii2/. */
export const API_ROOT = 'cordon';
export const API_ROOT_PATH = `${DISCOVERY_PATH}${API_ROOT}/`;

/** The one collection: everything the regulator exports (identities, campaigns, indicators, relationships, reports). Fixed forever, like STIX ids. */
export const FEDERATION_COLLECTION_ID = uuidv5('taxii-collection|federation');

/** Objects per page when the client sets no limit, and at most (a page stays a few MB). */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1_000;

/**
 * A request re-reads the regulator's data at most this often; between
 * refreshes it is served from the TAXII object store. One second keeps a
 * polling client close to live without re-exporting on every page.
 */
export const REFRESH_MIN_INTERVAL_MS = 1_000;
