/**
 * What Tessera holds, as STAC 1.0.0 objects (issue 17, item 5): one Catalog, one Collection per
 * kind of holding (vector datasets, raster datasets, tile caches), one Item per dataset or cache,
 * with bbox, footprint, datetime, projection (proj:code) and file (file:size, file:checksum)
 * fields and assets with media types. Pure: the exporter and the API add links and hrefs.
 */
import { createHash } from 'node:crypto';
import { basename, extname, resolve } from 'node:path';
import type { Bbox, CatalogDataset, TileCacheSummary } from '../../shared/contract.js';

export const STAC_VERSION = '1.0.0';
export const PROJECTION_EXTENSION = 'https://stac-extensions.github.io/projection/v2.0.0/schema.json';
export const FILE_EXTENSION = 'https://stac-extensions.github.io/file/v2.1.0/schema.json';

export type { StacAsset, StacCollection, StacItem, StacLink } from '../../shared/stac-shapes.js';
import type { StacCollection, StacItem } from '../../shared/stac-shapes.js';

export type CollectionId = 'vector-datasets' | 'raster-datasets' | 'tile-caches';

export const COLLECTIONS: Record<CollectionId, { title: string; description: string }> = {
  'vector-datasets': { title: 'Vector datasets', description: "The catalogue's vector datasets: GeoPackages imported by ingest and Esri migrations." },
  'raster-datasets': { title: 'Raster datasets', description: "The catalogue's raster datasets: Cloud-Optimized GeoTIFFs imported by ingest." },
  'tile-caches': { title: 'Tile caches', description: 'Tile caches (MBTiles, PMTiles, z/x/y folders) that preseed jobs produced.' },
};

/** The whole world when a holding does not know its extent: STAC requires a bbox. */
const WORLD: Bbox = [-180, -90, 180, 90];

/** The footprint of a bbox as a GeoJSON polygon (counter-clockwise, closed). */
export function bboxPolygon([w, s, e, n]: Bbox): StacItem['geometry'] {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}

/** A file's media type, as STAC best practices name them. */
export function mediaType(path: string): string {
  const lower = path.toLowerCase();
  if (lower.endsWith('.gpkg')) return 'application/geopackage+sqlite3';
  if (lower.endsWith('.tif') || lower.endsWith('.tiff')) return 'image/tiff; application=geotiff; profile=cloud-optimized';
  if (lower.endsWith('.mbtiles')) return 'application/vnd.mapbox-vector-tile+sqlite3';
  if (lower.endsWith('.pmtiles')) return 'application/vnd.pmtiles';
  if (lower.endsWith('.geojson') || lower.endsWith('.json')) return 'application/geo+json';
  return 'application/octet-stream';
}

/** `EPSG:4326`-like codes only: proj:code holds an authority code, not a WKT name. */
function projCode(crs: string | null | undefined): string | null {
  return crs && /^[A-Z]+:\d+$/.test(crs) ? crs : null;
}

export interface FileFacts {
  href: string;
  size: number;
  /** Multihash (sha2-256: 1220 + hex), or undefined when not computed. */
  checksum?: string;
}

/** A catalogue dataset as a STAC Item. */
export function datasetItem(dataset: CatalogDataset, file: FileFacts): StacItem {
  const crs = dataset.kind === 'raster' ? dataset.raster?.crs : dataset.layers.find((l) => l.crs)?.crs;
  const bbox = dataset.bounds ?? WORLD;
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: [PROJECTION_EXTENSION, FILE_EXTENSION],
    id: `dataset-${dataset.id}`,
    collection: dataset.kind === 'vector' ? 'vector-datasets' : 'raster-datasets',
    bbox,
    geometry: bboxPolygon(bbox),
    properties: {
      title: dataset.name,
      datetime: dataset.updatedAt,
      created: dataset.createdAt,
      updated: dataset.updatedAt,
      'proj:code': projCode(crs),
      ...(dataset.kind === 'vector' && {
        'tessera:layers': dataset.layers.map((l) => ({ name: l.name, geometryType: l.geometryType, features: l.featureCount })),
      }),
      ...(dataset.raster && { 'proj:shape': [dataset.raster.height, dataset.raster.width] }),
      ...(dataset.jobId !== null && { 'tessera:job': dataset.jobId }),
    },
    links: [],
    assets: {
      data: {
        href: file.href,
        type: mediaType(dataset.path),
        title: dataset.name,
        roles: ['data'],
        'file:size': file.size,
        ...(file.checksum && { 'file:checksum': file.checksum }),
      },
    },
  };
}

/**
 * A cache's item id, the same for as long as the cache is at its path: its file name (readable)
 * and a digest of the whole path (two `bm.mbtiles` in different folders differ). Not the job's id:
 * re-running a preseed over the same output would otherwise make a new item and delete the old one
 * at every publish. Safe in a URL segment and as a folder name of `stac export`.
 */
export function cacheItemId(path: string): string {
  const absolute = resolve(path);
  const stem =
    basename(absolute, extname(absolute))
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'cache';
  const digest = createHash('sha256').update(absolute, 'utf8').digest('hex').slice(0, 10);
  return `cache-${stem}-${digest}`;
}

/** A tile cache a preseed job produced, as a STAC Item (its tiles are in Web Mercator). */
export function cacheItem(job: { id: number; name: string; finishedAt: string | null; createdAt: string }, cache: TileCacheSummary, file: FileFacts): StacItem {
  const bbox = cache.bounds ?? WORLD;
  const type =
    cache.kind === 'mbtiles' && cache.format !== 'pbf'
      ? 'application/vnd.mapbox-raster-tiles+sqlite3'
      : cache.kind === 'directory'
        ? 'inode/directory'
        : mediaType(cache.path);
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: [PROJECTION_EXTENSION, FILE_EXTENSION],
    id: cacheItemId(cache.path),
    collection: 'tile-caches',
    bbox,
    geometry: bboxPolygon(bbox),
    properties: {
      title: cache.name || job.name,
      datetime: job.finishedAt ?? job.createdAt,
      created: job.createdAt,
      'proj:code': 'EPSG:3857',
      'tessera:job': job.id,
      'tessera:tiles': { kind: cache.kind, format: cache.format, minZoom: cache.minZoom, maxZoom: cache.maxZoom },
    },
    links: [],
    assets: {
      tiles: {
        href: file.href,
        type,
        title: cache.name || job.name,
        roles: ['data', 'tiles'],
        ...(cache.kind !== 'directory' && { 'file:size': file.size }),
        ...(file.checksum && { 'file:checksum': file.checksum }),
      },
    },
  };
}

/** A collection's extent: the union of its items' bboxes and the span of their datetimes. */
export function collectionOf(id: CollectionId, items: readonly StacItem[]): StacCollection {
  const boxes = items.map((i) => i.bbox);
  const union: Bbox = boxes.length
    ? [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))]
    : WORLD;
  const times = items.map((i) => i.properties.datetime).sort();
  return {
    type: 'Collection',
    stac_version: STAC_VERSION,
    stac_extensions: [],
    id,
    title: COLLECTIONS[id].title,
    description: COLLECTIONS[id].description,
    license: 'other',
    extent: { spatial: { bbox: [union] }, temporal: { interval: [[times[0] ?? null, times.at(-1) ?? null]] } },
    links: [],
  };
}
