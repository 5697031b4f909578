/**
 * The vector preseed's dry run (jobs.estimate): each source's extent and feature counts, tiles per
 * zoom over the real extent (the sources ∩ bbox ∩ coverage), a sample of real tiles cut from the
 * first readable source for bytes and time, and whether it all fits.
 *
 * Tile counts are an upper bound: every tile of the extent is counted, but a vector preseed skips
 * empty tiles (ocean between islands, the space between a sparse set of points), which can be most
 * of them. The sample is cut below the tile of a real feature (the first one) at the deepest zoom
 * that keeps it small, so bytes and seconds per tile are those of real, non-empty tiles.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bbox, JobEstimate, VectorPreseedParams } from '../../../shared/contract.js';
import { TesseraError, serializeError, throwIfAborted } from '../../../shared/errors.js';
import { checkFits } from '../../disk/disk-guard.js';
import type { KindEnvironment } from '../../kinds/job-kind.js';
import { type Coverage, loadCoverage } from '../../tiling/coverage.js';
import { planTiles } from '../../tiling/tile-plan.js';
import { intersectBbox, lonLatToTileFraction, unionBbox } from '../../../shared/tile-grid.js';
import { extractSource } from './extract-source.js';
import { chooseLayers } from './layer-choice.js';
import { type SourceInfo, inspectSource } from './source-info.js';

/** Tiles cut for the sample. */
const SAMPLE_TILES = 200;
/** The sample's root: no deeper than this, so its extraction stays small. */
const SAMPLE_ROOT_MAX_ZOOM = 8;
/**
 * Drivers that read only what a spatial filter asks for. Others (GeoJSON, TopoJSON, KML…) parse the
 * whole file for any sample, as long as the job's own extraction (13 s of CPU for a 38 MB GeoJSON):
 * above SAMPLE_PARSE_MAX_BYTES they get no sample, and the estimate no bytes or seconds.
 */
const INDEXED_DRIVERS = new Set(['GPKG', 'SQLite', 'FlatGeobuf', 'ESRI Shapefile', 'PostgreSQL', 'OpenFileGDB']);
const SAMPLE_PARSE_MAX_BYTES = 16 * 1024 * 1024;

export async function estimateVectorPreseed(params: VectorPreseedParams, env: KindEnvironment, signal: AbortSignal): Promise<JobEstimate> {
  const coverage: Coverage | undefined = params.coverage ? await loadCoverage(params.coverage) : undefined;
  const infos: (SourceInfo | null)[] = [];
  const errors: unknown[] = [];
  for (const path of params.sources) {
    throwIfAborted(signal);
    try {
      infos.push(await inspectSource(path, signal));
      errors.push(null);
    } catch (error) {
      infos.push(null);
      errors.push(error);
    }
  }
  const { bySource } = chooseLayers(params, infos);
  let union: Bbox | null = null;
  let firstReadable = -1;
  const extents: (Bbox | null)[] = infos.map((info, i) => {
    if (!info) return null;
    let b: Bbox | null = null;
    for (const layer of bySource[i]!) {
      const lb = info.layers.find((l) => l.name === layer.sourceLayer)?.bounds;
      if (lb) b = b ? unionBbox(b, lb) : lb;
    }
    if (b && params.bbox) b = intersectBbox(padded(b), params.bbox);
    if (b && firstReadable < 0) firstReadable = i;
    return b;
  });
  const ordered: JobEstimate['datasets'] = params.sources.map((path, i) => {
    if (!infos[i]) return { path, bounds: null, tiles: 0, error: serializeError(errors[i]) };
    const extent = extents[i] ?? null;
    const tiles = extent ? planTiles(padded(extent), params.minZoom, params.maxZoom, coverage).reduce((n, z) => n + z.tiles, 0) : 0;
    if (extent) union = union ? unionBbox(union, extent) : extent;
    const features = bySource[i]!.reduce((n, l) => n + (infos[i]!.layers.find((x) => x.name === l.sourceLayer)?.featureCount ?? 0), 0);
    return {
      path,
      bounds: extent,
      tiles,
      error: extent ? null : serializeError(new TesseraError('OUTSIDE_EXTENT', `${path}: ${features} feature(s), none inside the extent asked for`)),
    };
  });
  const zooms = union ? planTiles(padded(union), params.minZoom, params.maxZoom, coverage).map((z) => ({ z: z.z, tiles: z.tiles })) : [];
  const totalTiles = zooms.reduce((n, z) => n + z.tiles, 0);

  let sample: JobEstimate['sample'] = null;
  if (firstReadable >= 0 && totalTiles > 0 && (await sampleAffordable(infos[firstReadable]!))) {
    sample = await cutSample(params, env, extents[firstReadable]!, infos[firstReadable]!, bySource[firstReadable]!, signal).catch((error: unknown) => {
      env.logger.warn(`vector estimate: no sample (${(error as Error).message})`);
      return null;
    });
  }
  const estimatedBytes = sample ? Math.round(sample.bytesPerTile * totalTiles) : null;
  const estimatedSeconds = sample ? sample.secondsPerTile * totalTiles : null;
  const storage = await checkFits({ output: params.output, bytes: estimatedBytes, settings: env.settings(), dataDir: env.dataDir });
  return { kind: 'preseed-vector', datasets: ordered, zooms, totalTiles, sample, estimatedBytes, estimatedSeconds, storage };
}

async function sampleAffordable(info: SourceInfo): Promise<boolean> {
  if (INDEXED_DRIVERS.has(info.driver)) return true;
  const size = await stat(info.path).then(
    (s) => s.size,
    () => 0,
  );
  return size <= SAMPLE_PARSE_MAX_BYTES;
}

function padded(b: Bbox): Bbox {
  const e = 1e-9;
  return [b[0] === b[2] ? b[0] - e : b[0], b[1] === b[3] ? b[1] - e : b[1], b[0] === b[2] ? b[2] + e : b[2], b[1] === b[3] ? b[3] + e : b[3]];
}

async function cutSample(
  params: VectorPreseedParams,
  env: KindEnvironment,
  extent: Bbox,
  info: SourceInfo,
  layers: ReturnType<typeof chooseLayers>['bySource'][number],
  signal: AbortSignal,
): Promise<NonNullable<JobEstimate['sample']>> {
  const z = Math.min(params.maxZoom, SAMPLE_ROOT_MAX_ZOOM);
  // A real feature's tile, not the extent's middle (for the world, that is the open sea off Africa).
  const seed = layers
    .map((l) => info.layers.find((x) => x.name === l.sourceLayer)?.samplePoint)
    .find((p) => p && p[0] >= extent[0] && p[0] <= extent[2] && p[1] >= extent[1] && p[1] <= extent[3]);
  const centre = lonLatToTileFraction(seed ? seed[0] : (extent[0] + extent[2]) / 2, seed ? seed[1] : (extent[1] + extent[3]) / 2, z);
  const root = { z, x: Math.min(2 ** z - 1, Math.floor(centre.x)), y: Math.min(2 ** z - 1, Math.floor(centre.y)) };
  const n = 2 ** z;
  const lon = (x: number) => (x / n) * 360 - 180;
  const lat = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  const rootBbox: Bbox = [lon(root.x), lat(root.y + 1), lon(root.x + 1), lat(root.y)];
  const dir = await mkdtemp(join(env.dataDir, 'estimate-'));
  try {
    const source = await extractSource(info.path, layers, {
      dir,
      partitionZoom: null,
      minZoom: z,
      maxZoom: params.maxZoom,
      extent: params.extent,
      buffer: params.buffer,
      tolerance: params.tolerance,
      bbox: rootBbox,
      pool: env.pool,
      signal,
    });
    if (!source.low) throw new TesseraError('OUTSIDE_EXTENT', 'no feature in the sample tile');
    const specs = layers.map((l) => ({ name: l.name, minZoom: l.minZoom, maxZoom: l.maxZoom }));
    const byId: { name: string; minZoom: number; maxZoom: number }[] = [];
    layers.forEach((l, i) => (byId[l.id] = specs[i]!));
    for (let i = 0; i < byId.length; i++) byId[i] ??= { name: `unused-${i}`, minZoom: 0, maxZoom: 0 };
    const result = await env.pool.run(
      'vectorTiles',
      {
        root,
        stopZoom: params.maxZoom,
        minZoom: params.minZoom,
        files: [source.low.file],
        layers: byId,
        extent: params.extent,
        buffer: params.buffer,
        tolerance: params.tolerance,
        maxTileBytes: params.maxTileBytes,
        thin: params.thin,
        sampleLimit: SAMPLE_TILES,
      },
      { signal },
    );
    if (result.tiles === 0) throw new TesseraError('OUTSIDE_EXTENT', 'the sample tile is empty');
    return { tiles: result.tiles, bytesPerTile: result.gzBytes / result.tiles, secondsPerTile: result.ms / 1000 / result.tiles / env.pool.threads };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
