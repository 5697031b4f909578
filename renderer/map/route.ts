/**
 * The map screen's address: `#/map?path=<encoded path>&extent=<west,south,east,north>`, or
 * `#/map?dataset=<id>&extent=…` for a catalogue dataset's vector tiles (main/catalog/dataset-tiles.ts).
 *
 * The shell reads the hash with `mapScreenFromHash` (on load and on `hashchange`) and writes it with
 * `hashForMap` when it navigates to the map, so that a preview can be linked to, reloaded, and
 * reached by the end-to-end tests without clicking through the console.
 */
import type { Screen } from '../ui-store.js';

export type MapScreen = Extract<Screen, { name: 'map' }>;

const MAP_ROUTE = '#/map';

/** The map screen the hash names, or null when it names another (or no) screen. */
export function mapScreenFromHash(hash: string): MapScreen | null {
  const h = hash.startsWith('#') ? hash : `#${hash}`;
  const q = h.indexOf('?');
  const route = q === -1 ? h : h.slice(0, q);
  if (route !== MAP_ROUTE && route !== `${MAP_ROUTE}/`) return null;
  const params = new URLSearchParams(q === -1 ? '' : h.slice(q + 1));
  const screen: MapScreen = { name: 'map' };
  const path = params.get('path');
  if (path !== null && path.trim() !== '') screen.cachePath = path;
  const dataset = params.get('dataset');
  if (dataset !== null && /^[1-9]\d{0,9}$/.test(dataset)) screen.datasetId = Number(dataset);
  const extent = parseExtent(params.get('extent'));
  if (extent !== null) screen.extent = extent;
  return screen;
}

/** The hash for the map screen showing `cachePath` or dataset `datasetId` (and `extent`), e.g. `#/map?path=%2Fdata%2Fa.mbtiles`. */
export function hashForMap(cachePath?: string, extent?: [number, number, number, number], datasetId?: number): string {
  const params: string[] = [];
  if (datasetId !== undefined) params.push(`dataset=${datasetId}`);
  else if (cachePath !== undefined && cachePath !== '') params.push(`path=${encodeURIComponent(cachePath)}`);
  if (extent !== undefined) params.push(`extent=${extent.map((v) => String(v)).join(',')}`);
  return params.length === 0 ? MAP_ROUTE : `${MAP_ROUTE}?${params.join('&')}`;
}

/** "w,s,e,n" in degrees, inside the world and not empty; null otherwise. */
function parseExtent(text: string | null): [number, number, number, number] | null {
  if (text === null) return null;
  const parts = text.split(',').map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) return null;
  const [w, s, e, n] = parts as [number, number, number, number];
  if (w < -180 || e > 180 || s < -90 || n > 90 || w >= e || s >= n) return null;
  return [w, s, e, n];
}
