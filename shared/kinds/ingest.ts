/** The ingest kind's params and facts: files (or staged uploads) in, catalogue datasets out. */
import { z } from 'zod';
import { bboxOf } from './fields.js';
import { kindContract, pathList } from './kind-contract.js';

/**
 * ingest: files into the local catalogue (one item per file and per layer inside it). Files are
 * paths on the engine's machine (CLI, desktop drop) or uploads the headless host has staged
 * (`upload:<id>`, from its streaming upload route).
 */
export const IngestParams = z
  .object({
    files: z.array(z.string().trim().min(1, 'file path is empty').max(4096)).min(1, 'no files').max(10_000),
    /**
     * CRS for sources that have none (a Shapefile without .prj, a GML without srsName, a CSV's x/y
     * columns): `EPSG:N` or any definition GDAL reads. GeoJSON, KML and GPX are lon/lat WGS84 by
     * their specifications whatever this says; a CSV is taken as lon/lat when this is absent.
     */
    assignCrs: z.string().trim().min(1).max(20_000).optional(),
    /** Reproject vector layers to this CRS on import; layers keep their own CRS when absent. */
    targetCrs: z.string().trim().min(1).max(20_000).optional(),
    /** Bytes this job may stage and import; the ingestJobQuotaBytes setting when absent. */
    quotaBytes: z.number().int().positive().optional(),
  })
  .strict();
export type IngestParams = z.output<typeof IngestParams>;

export const ingestContract = kindContract({
  params: IngestParams,
  paths: (p) => pathList('files', p.files, 'read'),
  cache: () => null,
  makesDatasets: true,
  unit: 'bytes',
  // The layer and raster items read the CRS when they run: "Retry with CRS…" gives one to those that failed without.
  retryParams: ['assignCrs'],
  // A raster's bounds, or the layer a vector item imported.
  footprints: (_p, items) =>
    items.flatMap((i) => {
      const layer = i.result?.layer;
      const b = bboxOf(i.result?.bounds) ?? (layer !== null && typeof layer === 'object' && 'bounds' in layer ? bboxOf(layer.bounds) : null);
      return b ? [{ label: i.label, bounds: b }] : [];
    }),
});
