/**
 * Process-wide GDAL settings the engine makes before any job runs (Engine.open calls
 * `configureGdal`). They live here, not in the modules that use GDAL, so that they hold however
 * the process loads its modules, and a test or bench can see what the engine runs with.
 */
import gdal from 'gdal-async';

/**
 * GDAL's block cache defaults to 5% of the machine's RAM (1.2 GB here) and a COG made from a
 * 1 GB raster fills it: the engine's RSS went to 1.5 GB (bench/ingest-bench.ts). Bounded, it is
 * filled all the same, so it counts in full in that ingest's peak: 32 MiB left it at 257–269 MiB
 * (preview included, pool threads started on demand), 16 MiB at 243–261. gdal_translate writing
 * that COG took the same time with 8, 16 or 32 MiB (15 s), and far less than with the default
 * (28 s against 52 s). It is process-wide, so raster preseeds warp with it too, and there 16 MiB
 * was slower: Blue Marble z0–5 took 7.1–8.1 s against 6.8 s with 32 MiB. Hence 32.
 */
export const GDAL_CACHE_MEGABYTES = 32;

/**
 * Bounds GDAL's block cache unless the operator set GDAL_CACHEMAX (environment or `--config`),
 * which wins. GDAL reads the setting once, at its first raster read, so this must run before any
 * job does; later calls change nothing GDAL has already read.
 */
export function configureGdal(): void {
  if (process.env.GDAL_CACHEMAX === undefined && !gdal.config.get('GDAL_CACHEMAX')) gdal.config.set('GDAL_CACHEMAX', String(GDAL_CACHE_MEGABYTES));
}
