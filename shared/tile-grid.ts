/**
 * The WebMercatorQuad tile grid (XYZ: y grows southwards from the top row), as pure functions.
 *
 * Coordinates are WGS84 degrees or EPSG:3857 metres; bounding boxes are [west, south, east, north].
 * Latitudes are clamped to ±MAX_LATITUDE, where the square Mercator world ends.
 */
import type { Bbox } from './contract.js';

/** The latitude at which Web Mercator's square world ends: atan(sinh(π)) in degrees. */
export const MAX_LATITUDE = 85.0511287798066;
/** Half the width of the Web Mercator world in metres (π × 6378137). */
export const ORIGIN_SHIFT = 20037508.342789244;
/** The whole Web Mercator world in WGS84 degrees. */
export const WORLD_BBOX: Bbox = [-180, -MAX_LATITUDE, 180, MAX_LATITUDE];

export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

/** Inclusive tile index ranges of one zoom level. */
export interface TileRange {
  z: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function clampLatitude(lat: number): number {
  return Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
}

/** Fractional tile coordinates of a point at zoom z (x from the antimeridian, y from the north). */
export function lonLatToTileFraction(lon: number, lat: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const sin = Math.sin((clampLatitude(lat) * Math.PI) / 180);
  const x = ((lon + 180) / 360) * n;
  const y = (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * n;
  return { x, y };
}

export function lonLatToMercator(lon: number, lat: number): [number, number] {
  const x = (lon * ORIGIN_SHIFT) / 180;
  const y = Math.log(Math.tan(((90 + clampLatitude(lat)) * Math.PI) / 360)) * (ORIGIN_SHIFT / Math.PI);
  return [x, y];
}

export function mercatorToLonLat(x: number, y: number): [number, number] {
  const lon = (x / ORIGIN_SHIFT) * 180;
  const lat = (Math.atan(Math.exp((y / ORIGIN_SHIFT) * Math.PI)) * 360) / Math.PI - 90;
  return [lon, lat];
}

/** A tile's bounds in EPSG:3857 metres: [minX, minY, maxX, maxY]. */
export function tileBoundsMercator(z: number, x: number, y: number): [number, number, number, number] {
  const size = (2 * ORIGIN_SHIFT) / 2 ** z;
  const minX = -ORIGIN_SHIFT + x * size;
  const maxY = ORIGIN_SHIFT - y * size;
  return [minX, maxY - size, minX + size, maxY];
}

/** A tile's bounds in WGS84 degrees. */
export function tileBoundsLonLat(z: number, x: number, y: number): Bbox {
  const [minX, minY, maxX, maxY] = tileBoundsMercator(z, x, y);
  const [west, south] = mercatorToLonLat(minX, minY);
  const [east, north] = mercatorToLonLat(maxX, maxY);
  return [west, south, east, north];
}

/**
 * The tiles at zoom z that a bbox touches. A bbox that only touches a tile's edge does not take the
 * neighbouring tile (its fraction is nudged inwards), so an extent aligned to the grid is exact.
 */
export function tileRange(bbox: Bbox, z: number): TileRange {
  const n = 2 ** z;
  const nw = lonLatToTileFraction(bbox[0], bbox[3], z);
  const se = lonLatToTileFraction(bbox[2], bbox[1], z);
  const eps = 1e-9;
  const clamp = (v: number) => Math.max(0, Math.min(n - 1, v));
  return {
    z,
    minX: clamp(Math.floor(nw.x + eps)),
    minY: clamp(Math.floor(nw.y + eps)),
    maxX: clamp(Math.ceil(se.x - eps) - 1),
    maxY: clamp(Math.ceil(se.y - eps) - 1),
  };
}

export function rangeSize(r: TileRange): number {
  return r.maxX < r.minX || r.maxY < r.minY ? 0 : (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1);
}

/** The intersection of two bboxes, or null when they do not overlap (touching edges do not count). */
export function intersectBbox(a: Bbox, b: Bbox): Bbox | null {
  const w = Math.max(a[0], b[0]);
  const s = Math.max(a[1], b[1]);
  const e = Math.min(a[2], b[2]);
  const n = Math.min(a[3], b[3]);
  return w < e && s < n ? [w, s, e, n] : null;
}

export function unionBbox(a: Bbox, b: Bbox): Bbox {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** The tile's parent, one zoom level up. */
export function parentTile(t: TileCoord): TileCoord {
  return { z: t.z - 1, x: t.x >> 1, y: t.y >> 1 };
}

/** The four children of a tile, in z-order (NW, NE, SW, SE). */
export function childTiles(t: TileCoord): TileCoord[] {
  const z = t.z + 1;
  const x = t.x * 2;
  const y = t.y * 2;
  return [
    { z, x, y },
    { z, x: x + 1, y },
    { z, x, y: y + 1 },
    { z, x: x + 1, y: y + 1 },
  ];
}

/**
 * MBTiles rows count from the south (TMS); XYZ from the north. The flip is its own inverse: XYZ y
 * to TMS tile_row, and tile_row back to y. Every MBTiles reader and writer goes through this.
 */
export function flipY(z: number, y: number): number {
  return 2 ** z - 1 - y;
}
