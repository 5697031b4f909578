/**
 * What the map preview needs to know about a cache before it draws it: format, zooms, bounds and,
 * for vector tiles, the layers with their fields and geometry types.
 *
 * The cache's own metadata is trusted first (MBTiles `bounds`/`json`, the PMTiles header and JSON,
 * a tile directory's metadata.json); what it does not say is derived from the tiles: bounds from
 * the tile range at the lowest zoom, layers, fields and geometry types from decoding a sample.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import type { TileCacheSummary } from '../../shared/contract.js';
import { clampLatitude } from '../../shared/tile-grid.js';
import type { TileCacheReader, TileFormat, TileRecord, TileSourceReader } from './tile-cache.js';
import { type CacheArea, findAreas } from './cache-areas.js';

export type VectorLayerSummary = TileCacheSummary['vectorLayers'][number];
export type GeometryType = VectorLayerSummary['geometryType'];
type Bounds = [number, number, number, number];

/** Tiles read per sampled zoom (lowest, middle, highest) when layers or types must be decoded. */
const SAMPLE_TILES_PER_ZOOM = 8;
/** Features looked at per layer and tile when counting geometry types and fields. */
const SAMPLE_FEATURES = 200;
/** More tiles than this at the lowest zoom and bounds are not derived (the whole world, say). */
const MAX_TILES_FOR_BOUNDS = 65_536;
/** A gzip bomb stops here rather than taking the engine's memory. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
const gunzip = promisify(zlib.gunzip);

/** The summary of an open cache; `id` is the registry's handle for its tile URLs. */
export async function summariseCache(reader: TileSourceReader, id: string, name: string): Promise<TileCacheSummary> {
  const meta = reader.metadata;
  let levels: { z: number; count: number }[] | undefined;
  const zoomLevels = async () => (levels ??= await reader.zoomLevels());

  let zooms = declaredZooms(meta);
  if (zooms === null) {
    const l = await zoomLevels();
    zooms = l.length === 0 ? { minZoom: 0, maxZoom: 0 } : { minZoom: l[0]!.z, maxZoom: l[l.length - 1]!.z };
  }

  let format = reader.format;
  if (format === 'unknown') {
    const [first] = await reader.readBatch(zooms.minZoom, null, 1);
    if (first) format = await sniffFormat(first.data);
  }

  let bounds = parseBounds(meta.bounds);
  if (bounds === null) {
    const lowest = (await zoomLevels()).find((l) => l.count > 0);
    if (lowest && lowest.count <= MAX_TILES_FOR_BOUNDS) bounds = boundsOfTiles(await reader.readBatch(lowest.z, null, lowest.count));
  }

  let vectorLayers: VectorLayerSummary[] = [];
  if (format === 'pbf') {
    const declared = layersFromMetadata(meta);
    if (declared === null || declared.some((l) => l.geometryType === 'unknown')) {
      const sampled = layersFromTiles(await sampleTiles(reader, await zoomLevels()), zooms);
      vectorLayers = declared === null ? sampled : mergeLayers(declared, sampled);
    } else {
      vectorLayers = declared;
    }
  }

  // Areas help the map open where tiles are; a cache whose tiles cannot be listed still opens.
  const areas: CacheArea[] = await zoomLevels()
    .then((l) => findAreas(reader, l))
    .catch(() => []);

  return {
    id,
    path: reader.path,
    kind: reader.kind,
    format,
    name: meta.name?.trim() || name,
    bounds,
    minZoom: zooms.minZoom,
    maxZoom: zooms.maxZoom,
    vectorLayers,
    tileUrlTemplate: `tiles/${id}/{z}/{x}/{y}`,
    areas,
  };
}

/** `minzoom`/`maxzoom` from the metadata, when both are sane. */
function declaredZooms(meta: Record<string, string>): { minZoom: number; maxZoom: number } | null {
  const min = Number(meta.minzoom);
  const max = Number(meta.maxzoom);
  if (meta.minzoom === undefined || meta.maxzoom === undefined || !Number.isInteger(min) || !Number.isInteger(max)) return null;
  if (min < 0 || max > 30 || min > max) return null;
  return { minZoom: min, maxZoom: max };
}

/**
 * MBTiles' `bounds` ("west,south,east,north" in degrees), clamped to what Web Mercator shows; null
 * when missing, malformed or empty (PMTiles writers often leave the header's bounds at zero).
 */
export function parseBounds(text: string | undefined): Bounds | null {
  if (text === undefined) return null;
  // MBTiles metadata says "w,s,e,n"; TileJSON's metadata.json says [w, s, e, n].
  const parts = text
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(',')
    .map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) return null;
  const [w, s, e, n] = parts as Bounds;
  // Degrees out of range are not bounds (a projected box written by mistake): no area is better than a wrong one.
  if (Math.abs(w) > 180 || Math.abs(e) > 180 || Math.abs(s) > 90 || Math.abs(n) > 90) return null;
  const clamped: Bounds = [w, clampLatitude(s), e, clampLatitude(n)];
  if (clamped[0] === clamped[2] || clamped[1] >= clamped[3]) return null;
  return clamped;
}

/** The WGS84 box covered by `tiles` (XYZ), or null for none. */
export function boundsOfTiles(tiles: readonly { z: number; x: number; y: number }[]): Bounds | null {
  if (tiles.length === 0) return null;
  let west = Infinity;
  let south = -Infinity;
  let east = -Infinity;
  let north = Infinity;
  for (const t of tiles) {
    const side = 2 ** t.z;
    west = Math.min(west, t.x / side);
    east = Math.max(east, (t.x + 1) / side);
    north = Math.min(north, t.y / side);
    south = Math.max(south, (t.y + 1) / side);
  }
  return [west * 360 - 180, latOfRow(south), east * 360 - 180, latOfRow(north)];
}

/** The latitude of a Web Mercator row given as a fraction of the world (0 = north edge). */
function latOfRow(fraction: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - 2 * fraction))) * 180) / Math.PI;
}

/**
 * The `vector_layers` of the metadata: MBTiles and tile directories keep them in `json`, PMTiles in
 * a top-level `vector_layers`. Geometry types come from `tilestats` (GDAL and tippecanoe write it),
 * else 'unknown'. Null when the metadata lists no layers.
 */
export function layersFromMetadata(meta: Record<string, string>): VectorLayerSummary[] | null {
  const doc = parseObject(meta.json) ?? {};
  const list = doc.vector_layers ?? parseJson(meta.vector_layers);
  if (!Array.isArray(list) || list.length === 0) return null;
  const stats = doc.tilestats ?? parseJson(meta.tilestats);
  const geometryOf = new Map<string, GeometryType>();
  const statLayers = isObject(stats) && Array.isArray(stats.layers) ? stats.layers : [];
  for (const layer of statLayers) {
    if (isObject(layer) && typeof layer.layer === 'string') geometryOf.set(layer.layer, geometryFromName(layer.geometry));
  }
  const layers: VectorLayerSummary[] = [];
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.id !== 'string' || entry.id === '') continue;
    const fields: Record<string, string> = {};
    if (isObject(entry.fields)) for (const [k, v] of Object.entries(entry.fields)) fields[k] = typeof v === 'string' ? v : String(v);
    layers.push({
      id: entry.id,
      fields,
      geometryType: geometryFromName(entry.geometry_type) !== 'unknown' ? geometryFromName(entry.geometry_type) : (geometryOf.get(entry.id) ?? 'unknown'),
      minZoom: typeof entry.minzoom === 'number' ? entry.minzoom : 0,
      maxZoom: typeof entry.maxzoom === 'number' ? entry.maxzoom : 30,
    });
  }
  return layers.length > 0 ? layers : null;
}

/** tilestats' "Polygon", "LineString", "Point" (and their multi forms) as the contract's names. */
function geometryFromName(name: unknown): GeometryType {
  if (typeof name !== 'string') return 'unknown';
  const n = name.toLowerCase().replace(/^multi/, '');
  if (n === 'polygon') return 'polygon';
  if (n === 'linestring' || n === 'line') return 'line';
  if (n === 'point') return 'point';
  return 'unknown';
}

/** Up to SAMPLE_TILES_PER_ZOOM tiles at the lowest, middle and highest zoom that hold tiles. */
async function sampleTiles(reader: Pick<TileCacheReader, 'readBatch'>, levels: readonly { z: number; count: number }[]): Promise<TileRecord[]> {
  if (levels.length === 0) return [];
  const picks = [...new Set([levels[0]!.z, levels[Math.floor(levels.length / 2)]!.z, levels[levels.length - 1]!.z])];
  const tiles: TileRecord[] = [];
  for (const z of picks) tiles.push(...(await reader.readBatch(z, null, SAMPLE_TILES_PER_ZOOM)));
  return tiles;
}

interface LayerTally {
  fields: Record<string, string>;
  types: [number, number, number];
  minZoom: number;
  maxZoom: number;
}

/**
 * Layers, fields and geometry types found by decoding `tiles`. A layer's type is the one most of
 * its sampled features have; the zoom range is where it was seen, widened to the cache's own range
 * at the ends (a sample of three zooms cannot tell where a layer really starts).
 */
export function layersFromTiles(tiles: readonly TileRecord[], zooms: { minZoom: number; maxZoom: number }): VectorLayerSummary[] {
  const tally = new Map<string, LayerTally>();
  for (const tile of tiles) {
    const bytes = inflateSync(tile.data);
    if (bytes === null) continue;
    let decoded: VectorTile;
    try {
      decoded = new VectorTile(new PbfReader(bytes));
    } catch {
      continue;
    }
    for (const [name, layer] of Object.entries(decoded.layers)) {
      let t = tally.get(name);
      if (t === undefined) {
        t = { fields: {}, types: [0, 0, 0], minZoom: tile.z, maxZoom: tile.z };
        tally.set(name, t);
      }
      t.minZoom = Math.min(t.minZoom, tile.z);
      t.maxZoom = Math.max(t.maxZoom, tile.z);
      try {
        for (let i = 0; i < Math.min(layer.length, SAMPLE_FEATURES); i++) {
          const feature = layer.feature(i);
          if (feature.type >= 1 && feature.type <= 3) t.types[feature.type - 1]!++;
          for (const [key, value] of Object.entries(feature.properties)) t.fields[key] ??= fieldType(value);
        }
      } catch {
        // A broken feature: what was read before it still counts (verification reports the tile).
      }
    }
  }
  const sampledZooms = tiles.map((t) => t.z);
  const lowest = Math.min(...sampledZooms);
  const highest = Math.max(...sampledZooms);
  return [...tally].map(([id, t]) => ({
    id,
    fields: t.fields,
    geometryType: dominant(t.types),
    minZoom: t.minZoom === lowest ? zooms.minZoom : t.minZoom,
    maxZoom: t.maxZoom === highest ? zooms.maxZoom : t.maxZoom,
  }));
}

/** Declared layers keep their fields and zooms; only an unknown geometry type is taken from the sample. */
function mergeLayers(declared: VectorLayerSummary[], sampled: VectorLayerSummary[]): VectorLayerSummary[] {
  const byId = new Map(sampled.map((l) => [l.id, l]));
  return declared.map((l) => (l.geometryType === 'unknown' ? { ...l, geometryType: byId.get(l.id)?.geometryType ?? 'unknown' } : l));
}

function dominant([points, lines, polygons]: [number, number, number]): GeometryType {
  if (points + lines + polygons === 0) return 'unknown';
  if (polygons >= lines && polygons >= points) return 'polygon';
  return lines >= points ? 'line' : 'point';
}

/** TileJSON's field type names. */
function fieldType(value: unknown): string {
  if (typeof value === 'number') return 'Number';
  if (typeof value === 'boolean') return 'Boolean';
  return 'String';
}

/** Gunzips gzipped tiles (synchronously: sampling reads a couple of dozen small tiles, once); null when broken. */
function inflateSync(data: Uint8Array): Uint8Array | null {
  if (!isGzip(data)) return data;
  try {
    return zlib.gunzipSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch {
    return null;
  }
}

export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** The image format named by a tile's magic bytes, or null. */
export function imageFormatOf(data: Uint8Array): 'png' | 'jpg' | 'webp' | null {
  if (data.length >= 8 && data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return 'png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
  if (data.length >= 12 && ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** The format of a cache that does not declare one, from one of its tiles. */
async function sniffFormat(data: Uint8Array): Promise<TileFormat> {
  const image = imageFormatOf(data);
  if (image !== null) return image;
  if (data.length === 0) return 'unknown';
  const bytes = isGzip(data) ? await gunzip(data, { maxOutputLength: MAX_INFLATED_BYTES }).catch(() => null) : data;
  if (bytes === null) return 'unknown';
  try {
    new VectorTile(new PbfReader(bytes));
    return 'pbf';
  } catch {
    return 'unknown';
  }
}

function ascii(data: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...data.subarray(from, to));
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseObject(text: string | undefined): Record<string, unknown> | null {
  const v = parseJson(text);
  return isObject(v) ? v : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
