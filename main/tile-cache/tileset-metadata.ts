/**
 * A tileset's metadata in the three shapes the writers store it: MBTiles 1.3 rows, the PMTiles
 * JSON metadata, and a tile directory's TileJSON-style `metadata.json`.
 *
 * `widenToOutput` first makes the metadata describe the whole output rather than the last job:
 * a job that adds zoom levels or an area to an existing cache must not hide what was already
 * there (a reader such as GDAL stops at the declared zooms and bounds).
 */
import type { Bbox } from '../../shared/contract.js';
import { clampLatitude, unionBbox } from '../../shared/tile-grid.js';
import type { TilesetMetadata } from './tile-writer.js';

/** What the output held before this job, and the zooms that hold tiles now. */
export interface OutputExtent {
  /** Bounds the output declared when the writer opened it, if it held tiles then. */
  previousBounds: Bbox | null;
  /** Lowest and highest zoom holding tiles now; null when there are none. */
  zooms: [number, number] | null;
}

/** `metadata` with zooms and bounds widened to cover what the output holds. */
export function widenToOutput(metadata: TilesetMetadata, extent: OutputExtent): TilesetMetadata {
  const minzoom = extent.zooms ? Math.min(metadata.minzoom, extent.zooms[0]) : metadata.minzoom;
  const maxzoom = extent.zooms ? Math.max(metadata.maxzoom, extent.zooms[1]) : metadata.maxzoom;
  const bounds = extent.previousBounds ? unionBbox(metadata.bounds, extent.previousBounds) : metadata.bounds;
  return { ...metadata, minzoom, maxzoom, bounds };
}

/** The declared center, else the middle of the bounds at the lowest zoom. */
export function centerOf(metadata: TilesetMetadata): [number, number, number] {
  if (metadata.center) return metadata.center;
  const [w, s, e, n] = metadata.bounds;
  return [(w + e) / 2, (s + n) / 2, metadata.minzoom];
}

/** Bounds as web maps can show them: latitudes clamped to Web Mercator's limit. */
export function mercatorBounds(bounds: Bbox): Bbox {
  return [bounds[0], clampLatitude(bounds[1]), bounds[2], clampLatitude(bounds[3])];
}

/** MBTiles 1.3 `metadata` rows (name → value); `json` holds the vector layers of pbf tilesets. */
export function mbtilesRows(metadata: TilesetMetadata): Map<string, string> {
  const rows = new Map<string, string>([
    ['name', metadata.name],
    ['format', metadata.format],
    ['bounds', mercatorBounds(metadata.bounds).map(decimal).join(',')],
    ['center', centerOf(metadata).map(decimal).join(',')],
    ['minzoom', String(metadata.minzoom)],
    ['maxzoom', String(metadata.maxzoom)],
  ]);
  if (metadata.type !== undefined) rows.set('type', metadata.type);
  if (metadata.description !== undefined) rows.set('description', metadata.description);
  if (metadata.attribution !== undefined) rows.set('attribution', metadata.attribution);
  if (metadata.version !== undefined) rows.set('version', metadata.version);
  if (metadata.format === 'pbf') rows.set('json', JSON.stringify(vectorJson(metadata)));
  return rows;
}

/** The PMTiles JSON metadata (bounds, center and zooms live in the header). */
export function pmtilesJson(metadata: TilesetMetadata, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...descriptive(metadata), format: metadata.format, ...(metadata.format === 'pbf' ? vectorJson(metadata) : {}), ...extra };
}

/** A tile directory's `metadata.json`: TileJSON 3.0.0 fields, tile URLs relative to the directory. */
export function tileJson(metadata: TilesetMetadata, extension: string, tileSize?: number): Record<string, unknown> {
  return {
    tilejson: '3.0.0',
    tiles: [`{z}/{x}/{y}.${extension}`],
    ...descriptive(metadata),
    scheme: 'xyz',
    format: metadata.format,
    bounds: mercatorBounds(metadata.bounds).map((v) => Number(decimal(v))),
    center: centerOf(metadata).map((v) => Number(decimal(v))),
    minzoom: metadata.minzoom,
    maxzoom: metadata.maxzoom,
    ...(tileSize !== undefined && metadata.format !== 'pbf' ? { tileSize } : {}),
    ...(metadata.format === 'pbf' ? vectorJson(metadata) : {}),
  };
}

function descriptive(metadata: TilesetMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = { name: metadata.name };
  if (metadata.description !== undefined) out.description = metadata.description;
  if (metadata.attribution !== undefined) out.attribution = metadata.attribution;
  if (metadata.version !== undefined) out.version = metadata.version;
  if (metadata.type !== undefined) out.type = metadata.type;
  return out;
}

function vectorJson(metadata: TilesetMetadata): { vector_layers: unknown[]; tilestats?: Record<string, unknown> } {
  const layers = (metadata.vectorLayers ?? []).map((l) => ({
    id: l.id,
    ...(l.description !== undefined ? { description: l.description } : {}),
    minzoom: l.minzoom,
    maxzoom: l.maxzoom,
    fields: l.fields,
  }));
  return metadata.tilestats === undefined ? { vector_layers: layers } : { vector_layers: layers, tilestats: metadata.tilestats };
}

/** Degrees to at most 7 decimals (about 1 cm), without float noise such as 2.0000000000000004. */
function decimal(v: number): string {
  return String(Number(v.toFixed(7)));
}
