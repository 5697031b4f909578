/**
 * How the Caches screen (and the map's cache picker) words a cache: its container and tile type,
 * its zooms, its bounds; and the truncate form's input as the job's params. Pure functions, tested
 * without a DOM.
 */
import type { CacheEntry, JobStartInput } from '../../shared/contract.js';

/** The query key of caches.list: the Caches screen and the map's cache picker share the answer. */
export const cachesKey = ['caches.list'] as const;

const CONTAINERS = { mbtiles: 'MBTiles', pmtiles: 'PMTiles', directory: 'z/x/y folder' } as const;
const TILE_TYPES = { png: 'PNG raster', jpg: 'JPEG raster', webp: 'WebP raster', pbf: 'vector (MVT)', unknown: 'unknown tiles' } as const;

/** "MBTiles · PNG raster", "z/x/y folder · vector (MVT)", "unreadable". */
export function formatText(c: Pick<CacheEntry, 'kind' | 'format'>): string {
  if (c.kind === null) return 'unreadable';
  return `${CONTAINERS[c.kind]} · ${TILE_TYPES[c.format ?? 'unknown']}`;
}

/** Whether the cache holds vector tiles (the picker and the map style them). */
export function isVector(c: Pick<CacheEntry, 'format'>): boolean {
  return c.format === 'pbf';
}

/** "z0–8", "z5", or "–" for a cache without tiles. */
export function zoomText(c: Pick<CacheEntry, 'minZoom' | 'maxZoom'>): string {
  if (c.minZoom === null || c.maxZoom === null) return '–';
  return c.minZoom === c.maxZoom ? `z${c.minZoom}` : `z${c.minZoom}–${c.maxZoom}`;
}

/** "12,345": tiles as counted. */
export function countText(n: number | null): string {
  return n === null ? '–' : n.toLocaleString('en-US');
}

/** "W -10.50 S 40.00 E 5.25 N 50.00", two decimals; "no bounds" without. */
export function boundsText(bounds: CacheEntry['bounds']): string {
  if (bounds === null) return 'no bounds';
  const [w, s, e, n] = bounds.map((v) => v.toFixed(2));
  return `W ${w} S ${s} E ${e} N ${n}`;
}

/** The truncate form as typed: zoom levels as text, an optional "W,S,E,N" box. */
export interface TruncateForm {
  minZoom: string;
  maxZoom: string;
  bbox: string;
}

/**
 * The jobs.start input of a truncate, or the first problem with the form in words. The engine
 * checks again (the same schema, and whether the cache holds the tiles): this only keeps an
 * obviously incomplete form from being sent.
 */
export function truncateInput(path: string, form: TruncateForm): { input: JobStartInput } | { problem: string } {
  const zoom = (text: string, label: string) => {
    const t = text.trim();
    return /^\d{1,2}$/.test(t) && Number(t) <= 30 ? Number(t) : `${label} must be a zoom level from 0 to 30`;
  };
  const minZoom = zoom(form.minZoom, 'From zoom');
  if (typeof minZoom === 'string') return { problem: minZoom };
  const maxZoom = zoom(form.maxZoom, 'To zoom');
  if (typeof maxZoom === 'string') return { problem: maxZoom };
  if (minZoom > maxZoom) return { problem: 'From zoom must not be above To zoom' };
  let bbox: [number, number, number, number] | undefined;
  if (form.bbox.trim() !== '') {
    const parts = form.bbox.split(',').map((p) => Number(p.trim()));
    if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p) || form.bbox.split(',').some((q) => q.trim() === '')))
      return { problem: 'The box needs four numbers: west, south, east, north in degrees' };
    const [w, so, e, n] = parts as [number, number, number, number];
    if ([w, e].some((v) => v < -180 || v > 180)) return { problem: 'The box: west and east are longitudes, from -180 to 180' };
    if ([so, n].some((v) => v < -90 || v > 90)) return { problem: 'The box: south and north are latitudes, from -90 to 90' };
    if (w >= e) return { problem: `The box: west (${w}) must be less than east (${e})` };
    if (so >= n) return { problem: `The box: south (${so}) must be less than north (${n})` };
    bbox = [w, so, e, n];
  }
  return { input: { kind: 'truncate', params: { cache: path, minZoom, maxZoom, ...(bbox && { bbox }) } } };
}
