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

/** One change of the STAC Transactions extension, as the host's POST/PUT/DELETE under /stac ask it. */
export interface StacTransactionInput {
  /** What the change is about: a collection, or an item of `collection`. */
  target: 'collection' | 'item';
  /** create: POST (CONFLICT when it exists); update: PUT (NOT_FOUND when it does not); delete: DELETE. */
  action: 'create' | 'update' | 'delete';
  /** The collection named by the path (absent only when a collection is created). */
  collection?: string;
  /** The item named by the path (update and delete of an item). */
  item?: string;
  /** The Collection or Item (create and update). */
  body?: Record<string, unknown>;
}

export interface StacTransactionResult {
  action: 'created' | 'updated' | 'deleted';
  collection: string;
  item?: string;
}

/** What one publish to a remote STAC API did. */
export interface StacPublishResult {
  /** The remote API's root (without token). */
  url: string;
  collections: number;
  /** Items POSTed new, PUT over a changed remote copy, left alone (the remote copy is the same), DELETEd (gone here). */
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Holdings left out of the publish, each with why (a deleted file, a cache that cannot be opened). */
  skipped: string[];
}

/** The remote STAC API the publish service keeps up to date (the token, if any, is a sealed credential). */
export interface StacPublishTarget {
  url: string;
  /** Whether a bearer token is stored for it (never the token itself). */
  hasToken: boolean;
}

/** What stac.export wrote. */
export interface StacExportResult {
  directory: string;
  collections: number;
  items: number;
  /** Holdings left out, each with why (a deleted file, a cache that cannot be opened). */
  skipped: string[];
}
