/**
 * The MISP feed format as a MISP instance reads it when subscribed to a feed
 * of type "MISP Feed": manifest.json (event uuid → event summary), one
 * <uuid>.json per event ({"Event": {...}}), and hashes.csv (md5 of every
 * attribute value, then the event uuid). Field names and value encodings
 * follow MISP's own feed export (numbers as strings inside events, as
 * numbers in the manifest).
 */
export interface MispTag { name: string; colour?: string }
export interface MispOrg { name: string; uuid: string }

export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  comment: string;
  timestamp: string;
  disable_correlation: boolean;
  Tag?: MispTag[];
}

export interface MispEvent {
  uuid: string;
  info: string;
  /** YYYY-MM-DD */
  date: string;
  /** Seconds since the epoch, as a string. */
  timestamp: string;
  publish_timestamp: string;
  published: boolean;
  /** "0" initial, "1" ongoing, "2" completed. */
  analysis: string;
  /** "1" high, "2" medium, "3" low, "4" undefined. */
  threat_level_id: string;
  Orgc: MispOrg;
  Tag: MispTag[];
  Attribute: MispAttribute[];
}

export interface MispManifestEntry {
  Orgc: MispOrg;
  Tag: MispTag[];
  info: string;
  date: string;
  analysis: number;
  threat_level_id: number;
  timestamp: number;
}

export interface MispFeed {
  manifest: Record<string, MispManifestEntry>;
  events: { Event: MispEvent }[];
  /** Lines of hashes.csv: "<md5 of value>,<event uuid>". */
  hashes: string[];
}
