/** The shape of what the STIX exporter emits (STIX 2.1 common properties; the rest per type). */
export interface StixObject {
  type: string;
  spec_version: '2.1';
  id: string;
  created: string;
  modified: string;
  [property: string]: unknown;
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export const byId = (a: StixObject, b: StixObject): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The later of two ISO timestamps in the exporter's fixed form (text order is time order). */
export const later = (a: string, b: string): string => (a > b ? a : b);
export const earlier = (a: string, b: string): string => (a < b ? a : b);
