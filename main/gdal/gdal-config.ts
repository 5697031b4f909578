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
 * GDAL's GeoJSON driver refuses a JSON object it must hold whole (a feature) above this many
 * megabytes, 200 by default: such a file failed its ingest with DATASET_UNREADABLE after 7 s and
 * 1.24 GB (issue 14), and nothing let the operator say otherwise. 0 removes the limit (GDAL >=
 * 3.5.2; gdal-async bundles 3.6). The limit protects servers from hostile uploads; here the
 * operator chose the file. An operator's own OGR_GEOJSON_MAX_OBJ_SIZE still wins.
 */
export const GEOJSON_MAX_OBJECT_MEGABYTES = '0';

/** Sets `key` unless the operator set it (environment, which GDAL also reads, or `--config`). */
function setUnlessOperatorDid(key: string, value: string): void {
  if (process.env[key] === undefined && !gdal.config.get(key)) gdal.config.set(key, value);
}

/**
 * Bounds GDAL's block cache and lifts the GeoJSON object-size limit, unless the operator set
 * GDAL_CACHEMAX or OGR_GEOJSON_MAX_OBJ_SIZE (environment or `--config`), which wins. GDAL reads the
 * cache size once, at its first raster read, so this must run before any job does; later calls
 * change nothing GDAL has already read. The settings are process-wide (CPLSetConfigOption), so they
 * hold on the pool's worker threads too; no child process opens datasets.
 */
export function configureGdal(): void {
  setUnlessOperatorDid('GDAL_CACHEMAX', String(GDAL_CACHE_MEGABYTES));
  setUnlessOperatorDid('OGR_GEOJSON_MAX_OBJ_SIZE', GEOJSON_MAX_OBJECT_MEGABYTES);
}
