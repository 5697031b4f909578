/** The truncate kind's params and facts: it deletes tiles of one tile cache, in place. */
import { z } from 'zod';
import { Bbox, zoom } from './fields.js';
import { kindContract } from './kind-contract.js';

/**
 * truncate: delete a cache's tiles in a zoom range, and within a WGS84 box when one is given (the
 * tiles the box touches). The cache stays whole: MBTiles deletes in committed batches, a z/x/y
 * folder file by file, a PMTiles archive is rewritten without the tiles and renamed into place.
 */
export const TruncateParams = z
  .object({
    /** An MBTiles file, a PMTiles archive, or a z/x/y tile directory. */
    cache: z.string().trim().min(1, 'cache path is empty').max(4096),
    minZoom: zoom,
    maxZoom: zoom,
    /** Only tiles touching this box; every tile of the zooms when absent. */
    bbox: Bbox.optional(),
  })
  .strict()
  .refine((p) => p.minZoom <= p.maxZoom, { message: 'minZoom must not be greater than maxZoom', path: ['minZoom'] });
export type TruncateParams = z.output<typeof TruncateParams>;

export const truncateContract = kindContract({
  params: TruncateParams,
  // It changes the cache: a write, so the storage gauges show its volume while it runs.
  paths: (p) => [{ field: 'params.cache', path: p.cache, access: 'write' }],
  cache: (p) => ({ path: p.cache, role: 'cache' }),
  makesDatasets: false,
  unit: 'tiles',
  footprints: (p) => (p.bbox ? [{ label: `z${p.minZoom}–${p.maxZoom}`, bounds: p.bbox }] : []),
});
