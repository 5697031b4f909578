/** The verify kind's params and facts: it reads one tile cache and writes nothing. */
import { z } from 'zod';
import { zoom } from './fields.js';
import { kindContract } from './kind-contract.js';

/** verify: decode every tile of a cache and report corrupt, empty and oversized tiles per zoom. */
export const VerifyParams = z
  .object({
    /** An MBTiles file, a PMTiles archive, or a z/x/y tile directory. */
    cache: z.string().trim().min(1, 'cache path is empty'),
    /** Tiles larger than this are reported as oversized (500 KB is the common vector-tile limit). */
    maxTileBytes: z
      .number()
      .int()
      .positive()
      .default(500 * 1024),
    /** Only these zoom levels; all of the cache's when absent. */
    minZoom: zoom.optional(),
    maxZoom: zoom.optional(),
  })
  .strict()
  .refine((p) => p.minZoom === undefined || p.maxZoom === undefined || p.minZoom <= p.maxZoom, {
    message: 'minZoom must not be greater than maxZoom',
    path: ['minZoom'],
  });
export type VerifyParams = z.output<typeof VerifyParams>;

export const verifyContract = kindContract({
  params: VerifyParams,
  paths: (p) => [{ field: 'params.cache', path: p.cache, access: 'read' }],
  cache: (p) => ({ path: p.cache, role: 'cache' }),
  makesDatasets: false,
  unit: 'tiles',
  // A verify changes nothing: its extent is the cache's own, not its items'.
  footprints: () => [],
});
