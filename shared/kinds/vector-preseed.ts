/** The vector preseed's params and facts: OGR sources in, one tile cache of MVT out. */
import { z } from 'zod';
import { MAX_LATITUDE, unionBbox } from '../tile-grid.js';
import { type Bbox, bboxOf, clipBbox, preseedChecks, preseedFields, zoom } from './fields.js';
import { kindContract, pathList } from './kind-contract.js';
import { coverageUse } from './raster-preseed.js';

/**
 * The ways a NO_GEOREFERENCE vector source gets its CRS, as the engine's message lists them: the
 * job's "Retry with CRS…", the CLI's --crs, a .prj. The preseed form, which has neither of the
 * first two, says its own field instead (noCrsInFormWords in renderer/preseed/estimate-panel.tsx).
 */
export const NO_CRS_WAYS = '"Retry with CRS…", --crs, a .prj beside a Shapefile';

/** One source layer of a vector preseed and how it becomes an MVT layer. */
export const VectorLayerChoice = z
  .object({
    /** The source layer's name (as OGR lists it). */
    name: z.string().trim().min(1),
    /** The MVT layer's name; the source layer's name when absent. */
    as: z.string().trim().min(1).max(100).optional(),
    /** Attributes to keep; all of them when absent, none when empty. */
    attributes: z.array(z.string().min(1)).optional(),
    minZoom: zoom.optional(),
    maxZoom: zoom.optional(),
  })
  .strict();
export type VectorLayerChoice = z.output<typeof VectorLayerChoice>;

/** preseed-vector: OGR sources (any CRS) to Mapbox Vector Tiles; one item per source. */
export const VectorPreseedParams = preseedChecks(
  z
    .object({
      ...preseedFields,
      sources: z.array(z.string().trim().min(1, 'source path is empty').max(4096)).min(1, 'no sources').max(1000),
      /** The layers to tile; every layer of every source when absent. A name matches in any source. */
      layers: z.array(VectorLayerChoice).min(1).optional(),
      /** Attributes kept for layers that do not choose their own; all when absent. */
      attributes: z.array(z.string().min(1)).optional(),
      /** Tile extent in MVT units, buffer around it, and simplification tolerance (as geojson-vt). */
      extent: z.number().int().min(256).max(16384).default(4096),
      buffer: z.number().int().min(0).max(1024).default(64),
      tolerance: z.number().min(0).max(100).default(3),
      /** Tiles larger than this (encoded, before gzip) are reported; with `thin`, thinned until they fit. */
      maxTileBytes: z
        .number()
        .int()
        .min(1024)
        .default(500 * 1024),
      thin: z.boolean().default(false),
      /**
       * The CRS of source layers that name none (a Shapefile without its .prj, a CSV of x/y in
       * metres); without it such a layer fails NO_GEOREFERENCE. GeoJSON, KML and GPX are lon/lat by
       * their specifications and ignore it, as the ingest does.
       */
      assignCrs: z.string().trim().min(1).max(20_000).optional(),
    })
    .strict(),
);
export type VectorPreseedParams = z.output<typeof VectorPreseedParams>;

export const vectorPreseedContract = kindContract({
  params: VectorPreseedParams,
  paths: (p) => [...pathList('sources', p.sources, 'read'), ...coverageUse(p.coverage), { field: 'params.output', path: p.output, access: 'write' }],
  cache: (p) => ({ path: p.output, role: 'output' }),
  makesDatasets: false,
  unit: 'tiles',
  // "Retry with CRS…" on a source that names none: its items read the CRS when the job runs again.
  retryParams: ['assignCrs'],
  // The union of each source's tiled layers, within the bbox and Web Mercator's latitudes.
  footprints: (p, items) =>
    items.flatMap((i) => {
      const layers: unknown[] = Array.isArray(i.result?.layers) ? i.result.layers : [];
      let b: Bbox | null = null;
      for (const layer of layers) {
        const lb = layer !== null && typeof layer === 'object' && 'bounds' in layer ? bboxOf(layer.bounds) : null;
        if (lb) b = b ? unionBbox(b, lb) : lb;
      }
      const clipped = b && clipBbox(b, p.bbox ?? [-180, -MAX_LATITUDE, 180, MAX_LATITUDE]);
      return clipped ? [{ label: i.label, bounds: clipped }] : [];
    }),
});
