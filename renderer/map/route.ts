/**
 * The map screen's address:
 * `#/map?path=<cache>&extent=<w,s,e,n>&job=<id>&tile=<z/x/y>&compare=<second cache>`.
 * `#/map?dataset=<id>&extent=…` shows a catalogue dataset's vector tiles (main/catalog/dataset-tiles.ts).
 *
 * The shell reads the hash with `mapScreenFromHash` (on load and on `hashchange`) and writes it with
 * `hashForMap` when it navigates to the map, so that a preview (with a job's bad tiles over it, one
 * of them picked, or a second cache to swipe against) can be linked to, reloaded, and reached by the
 * end-to-end tests without clicking through the console.
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
  const job = Number(params.get('job') ?? Number.NaN);
  if (Number.isSafeInteger(job) && job > 0) screen.jobId = job;
  const tile = parseTile(params.get('tile'));
  if (tile !== null) screen.tile = tile;
  const compare = params.get('compare');
  // A second cache only means something beside a first one.
  if (screen.cachePath !== undefined && compare !== null && compare.trim() !== '') screen.compareWith = compare;
  return screen;
}

/**
 * The hash for a map screen, e.g. `#/map?path=%2Fdata%2Fa.mbtiles&job=12&tile=10%2F550%2F300`.
 * Accepts the screen's fields, or (as before) a path and an extent.
 */
export function hashForMap(cachePath?: string | Omit<MapScreen, 'name'>, extent?: [number, number, number, number]): string {
  const screen: Omit<MapScreen, 'name'> =
    typeof cachePath === 'object' ? cachePath : { ...(cachePath === undefined ? {} : { cachePath }), ...(extent ? { extent } : {}) };
  const params: string[] = [];
  // A dataset is named by its id, never its file's path.
  if (screen.datasetId !== undefined) params.push(`dataset=${screen.datasetId}`);
  else if (screen.cachePath !== undefined && screen.cachePath !== '') params.push(`path=${encodeURIComponent(screen.cachePath)}`);
  if (screen.extent !== undefined) params.push(`extent=${screen.extent.map((v) => String(v)).join(',')}`);
  if (screen.jobId !== undefined) params.push(`job=${screen.jobId}`);
  if (screen.tile !== undefined) params.push(`tile=${encodeURIComponent(screen.tile.join('/'))}`);
  if (screen.compareWith !== undefined && screen.compareWith !== '' && screen.cachePath) params.push(`compare=${encodeURIComponent(screen.compareWith)}`);
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

/** "z/x/y" of a tile that exists in the XYZ grid (z 0–30, x and y within 0…2^z − 1); null otherwise. */
export function parseTile(text: string | null): [number, number, number] | null {
  if (text === null) return null;
  const m = /^(\d{1,2})\/(\d{1,10})\/(\d{1,10})$/.exec(text.trim());
  if (m === null) return null;
  const [z, x, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (z > 30 || x >= 2 ** z || y >= 2 ** z) return null;
  return [z, x, y];
}
