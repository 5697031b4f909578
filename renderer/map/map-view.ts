/**
 * Where the map looks and what it says about it: the box it opens on (the cache's largest area,
 * not the middle of all of them), the box "Fit to data" goes to, the names of the areas in the
 * list, the zoom readout, which map errors are no errors (a sparse cache's missing tiles), and the
 * remembered basemap switch. Pure functions (and one localStorage key), tested without WebGL.
 */
import type { TileCacheSummary } from '../../shared/contract.js';
import { tileZoomAt } from './map-style.js';

type Bounds = [number, number, number, number];
export type CacheArea = NonNullable<TileCacheSummary['areas']>[number];

/**
 * Below this share of the tiles in their combined box, a cache's areas are far apart: the whole
 * box would show mostly nothing, so the map opens on the largest area instead.
 */
export const SPARSE_SHARE = 0.25;

/**
 * The box the map opens on: the largest area when the cache's areas are far apart (Chicago and
 * Sweden in one MBTiles would otherwise open mid-Atlantic, at a zoom where neither shows), else
 * the whole cache (the world's countries are many areas, but the world is the view); null when
 * nothing is known (the map then opens on the whole world).
 */
export function openingBounds(summary: TileCacheSummary): Bounds | null {
  const areas = summary.areas ?? [];
  const whole = dataBounds(summary);
  if (areas.length < 2 || whole === null) return whole;
  const z = areas[0]!.z;
  const inAreas = areas.reduce((n, a) => n + a.tiles, 0);
  return inAreas < SPARSE_SHARE * tilesIn(whole, z) ? areas[0]!.bounds : whole;
}

/** How many tiles of zoom z a box (west, south, east, north) meets. */
export function tilesIn([w, s, e, n]: Bounds, z: number): number {
  const side = 2 ** z;
  const col = (lon: number) => Math.min(side - 1, Math.max(0, Math.floor(((lon + 180) / 360) * side)));
  const row = (lat: number) => {
    const rad = (Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI) / 180;
    return Math.min(side - 1, Math.max(0, Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * side)));
  };
  // East and south edges are exclusive: a box that ends on a tile boundary does not meet the next tile.
  return (col(e - 1e-9) - col(w) + 1) * (row(s + 1e-9) - row(n) + 1);
}

/**
 * "Fit to data": the box around the cache's areas, where its tiles are; else its declared bounds.
 * The areas come first because a cache's metadata often gives its features' extent (the whole
 * world for countries preseeded over two small boxes), not where its tiles are.
 */
export function dataBounds(summary: TileCacheSummary): Bounds | null {
  const areas = summary.areas ?? [];
  if (areas.length === 0) return summary.bounds;
  return [
    Math.min(...areas.map((a) => a.bounds[0])),
    Math.min(...areas.map((a) => a.bounds[1])),
    Math.max(...areas.map((a) => a.bounds[2])),
    Math.max(...areas.map((a) => a.bounds[3])),
  ];
}

/** An area as the list says it: where its middle is (degrees, to a tenth) and how many tiles of which zoom it holds. */
export function areaLabel(area: CacheArea): string {
  const [w, s, e, n] = area.bounds;
  const lon = (w + e) / 2;
  const lat = (s + n) / 2;
  const where = `${Math.abs(lat).toFixed(1)}°${lat < 0 ? 'S' : 'N'} ${Math.abs(lon).toFixed(1)}°${lon < 0 ? 'W' : 'E'}`;
  return `${where} · ${area.tiles.toLocaleString('en')} tile${area.tiles === 1 ? '' : 's'} at z${area.z}`;
}

/**
 * The zoom readout: the map's zoom, and the zoom of the cache tiles drawn there, or that the map
 * is beyond the cache's zooms (overzoomed past its deepest tiles, or above its shallowest).
 */
export function zoomReadout(summary: TileCacheSummary, mapZoom: number): string {
  const { tiles, beyond } = drawnTiles(summary, mapZoom);
  const note = beyond === 'deeper' ? ` (overzoomed from z${summary.maxZoom})` : beyond === 'shallower' ? ` (none above z${summary.minZoom})` : '';
  return `Zoom ${mapZoom.toFixed(1)} · tiles z${tiles}${note}`;
}

/**
 * Which zoom of the cache's tiles is drawn at map zoom `mapZoom`, and whether the map is beyond the
 * cache's zooms: deeper (its deepest tiles overzoomed) or shallower (none drawn yet). The readout
 * and compare's panel both say it.
 */
export function drawnTiles(summary: TileCacheSummary, mapZoom: number): { tiles: number; beyond: 'deeper' | 'shallower' | null } {
  const exact = summary.format === 'pbf' ? Math.floor(mapZoom + 1e-6) : Math.round(mapZoom + 1);
  return { tiles: tileZoomAt(summary, mapZoom), beyond: exact > summary.maxZoom ? 'deeper' : exact < summary.minZoom ? 'shallower' : null };
}

/**
 * Whether a MapLibre error event is only a tile the cache does not have (a 404 from the tile
 * route): normal for a sparse cache, or a basemap tile of open sea, and not worth a word.
 */
export function isMissingTile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && (error as { status: unknown }).status === 404;
}

const BASEMAP_KEY = 'tessera.map.basemap';

/** Whether the basemap is drawn (on unless switched off; remembered across maps and reloads). */
export function basemapShown(): boolean {
  return globalThis.localStorage?.getItem(BASEMAP_KEY) !== 'off';
}

/** Remembers the basemap switch. */
export function rememberBasemap(shown: boolean): void {
  globalThis.localStorage?.setItem(BASEMAP_KEY, shown ? 'on' : 'off');
}
