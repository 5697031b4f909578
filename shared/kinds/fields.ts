/**
 * Params fields more than one kind uses (zoom levels, a WGS84 bbox, the preseed fields and checks),
 * and the small readers of what items store (a bbox in a result) that the kinds' footprints share.
 */
import { z } from 'zod';
import { MAX_LATITUDE } from '../tile-grid.js';

export const zoom = z.number().int().min(0).max(30);
export const isoDateTime = z.iso.datetime({ offset: true });

/** WGS84 west, south, east, north (degrees). */
export const Bbox = z
  .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
  .refine((b) => b[0] < b[2], { message: 'west must be less than east (a bbox across the antimeridian is two jobs)' })
  .refine((b) => b[1] < b[3], { message: 'south must be less than north' });
export type Bbox = [number, number, number, number];

/**
 * What to do with tiles the output already holds: `resume` keeps them (an interrupted or extended
 * seed only adds what is missing), `overwrite` renders every tile again, `refresh` renders again
 * only tiles written before `olderThan`.
 */
export const PRESEED_MODES = ['resume', 'overwrite', 'refresh'] as const;
export type PreseedMode = (typeof PRESEED_MODES)[number];

/** Fields shared by raster and vector preseeds: where, which zooms, into what. */
export const preseedFields = {
  minZoom: zoom,
  maxZoom: zoom,
  /** Intersected with each dataset's own extent. */
  bbox: Bbox.optional(),
  /** A polygon file (GeoJSON or any OGR source, any CRS): only tiles touching its polygons are made. */
  coverage: z.string().trim().min(1).optional(),
  mode: z.enum(PRESEED_MODES).default('resume'),
  /** For mode `refresh`: tiles written before this instant are made again. */
  olderThan: isoDateTime.optional(),
  /** `.mbtiles` or `.pmtiles` picks that format; any other path is a z/x/y tile directory. */
  output: z.string().trim().min(1, 'output path is empty').max(4096),
  /** The tileset's name in the output's metadata; the output's file name when absent. */
  title: z.string().trim().min(1).max(200).optional(),
};

export function preseedChecks<T extends { minZoom: number; maxZoom: number; mode: PreseedMode; olderThan?: string | undefined }>(schema: z.ZodType<T>) {
  return schema
    .refine((p) => p.minZoom <= p.maxZoom, { message: 'minZoom must not be greater than maxZoom', path: ['minZoom'] })
    .refine((p) => p.mode !== 'refresh' || p.olderThan !== undefined, { message: 'mode refresh needs olderThan', path: ['olderThan'] });
}

/** A WGS84 bbox read from an item's stored result (JSON): four finite numbers in range, else null. */
export function bboxOf(value: unknown): Bbox | null {
  if (!Array.isArray(value) || value.length !== 4 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  const [w, s, e, n] = value as Bbox;
  return Math.abs(w) <= 180 && Math.abs(e) <= 180 && s >= -90 && n <= 90 && s <= n ? [w, s, e, n] : null;
}

/** `b` within `limit` and Web Mercator's latitudes, kept when it has no area (a point still has a place); null when outside. */
export function clipBbox(b: Bbox, limit: Bbox): Bbox | null {
  const out: Bbox = [
    Math.max(b[0], limit[0]),
    Math.max(b[1], Math.max(limit[1], -MAX_LATITUDE)),
    Math.min(b[2], limit[2]),
    Math.min(b[3], Math.min(limit[3], MAX_LATITUDE)),
  ];
  return out[0] <= out[2] && out[1] <= out[3] ? out : null;
}
