/**
 * STAC 1.0 objects as the contract carries them (stac.search) and the exporter writes them
 * (main/stac/): Items, Collections and their links and assets.
 */
import type { Bbox } from './kinds/fields.js';

export interface StacLink {
  rel: string;
  href: string;
  type?: string;
  title?: string;
  method?: string;
}

export interface StacAsset {
  href: string;
  type: string;
  title?: string;
  roles: string[];
  'file:size'?: number;
  'file:checksum'?: string;
}

export interface StacItem {
  type: 'Feature';
  stac_version: string;
  stac_extensions: string[];
  id: string;
  collection: string;
  bbox: Bbox;
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  properties: Record<string, unknown> & { datetime: string };
  links: StacLink[];
  assets: Record<string, StacAsset>;
}

export interface StacCollection {
  type: 'Collection';
  stac_version: string;
  stac_extensions: string[];
  id: string;
  title: string;
  description: string;
  license: string;
  extent: { spatial: { bbox: Bbox[] }; temporal: { interval: [string | null, string | null][] } };
  links: StacLink[];
}

/** One page of stac.search: the matching items, how many match in all, and every collection. */
export interface StacSearchResult {
  items: StacItem[];
  matched: number;
  nextCursor: string | null;
  collections: StacCollection[];
}
