import { API_ROOT_PATH, FEDERATION_COLLECTION_ID, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './constants.js';

/** The fixed TAXII resources (spec §4.1, §4.2, §5.1, §5.2). URLs are absolute paths, resolved against the request's URL. */

export function discovery(consortium: string): object {
  return {
    title: `${consortium}: regulator's TAXII server`,
    description: 'Read-only TAXII 2.1 view of the Cordon federation as its regulator sees it: campaigns spanning enough providers, their keyed-token indicators, and reports providers filed.',
    default: API_ROOT_PATH,
    api_roots: [API_ROOT_PATH],
  };
}

export function apiRoot(consortium: string): object {
  return {
    title: `${consortium} (regulator)`,
    description: 'Cordon exports for the regulator. Read-only: nothing can be added or deleted through TAXII.',
    versions: [TAXII_MEDIA_TYPE],
    // The server accepts no request bodies: no write endpoint exists.
    max_content_length: 0,
  };
}

export function collection(): object {
  return {
    id: FEDERATION_COLLECTION_ID,
    title: 'Cordon federation',
    description:
      'Identities (consortium, providers), campaigns, indicators (keyed PRF tokens, not hashes), indicates/targets relationships, and filed reports.',
    can_read: true,
    can_write: false,
    media_types: [STIX_MEDIA_TYPE],
  };
}
