/**
 * The dry run of a raster preseed (jobs.estimate, and jobs.start's refusal): per dataset its
 * extent and tile count over the real extent, tiles per zoom, a small real sample for bytes and
 * time, and whether that fits the output's volume and the cache quota.
 *
 * The sample renders metatiles near the middle of the largest dataset, at its middle zoom and at
 * its deepest zoom, through the real pipeline (GDAL warp, worker encode). Deep zooms hold most of
 * the tiles and often compress differently (an upsampled image is smoother), so each zoom's tiles
 * are costed at the nearer sample. Tiles shared by neighbouring datasets count once per dataset
 * (each renders them), which slightly overstates the bytes: the safe side for a quota.
 */
import type { Bbox, JobEstimate, RasterPreseedParams } from '../../../shared/contract.js';
import { TesseraError, isAbortError, serializeError, throwIfAborted } from '../../../shared/errors.js';
import type { RasterTilesResult } from '../../../workers/raster-tiles.js';
import { type Coverage, loadCoverage } from '../../tiling/coverage.js';
import { CoverageIndex, type ZoomPlan, planTiles } from '../../tiling/tile-plan.js';
import { writerKindFor } from '../../tile-cache/tile-writer.js';
import { checkFits } from '../../disk/disk-guard.js';
import type { KindEnvironment } from '../../kinds/job-kind.js';
import { type DatasetInfo, inspectDataset } from './dataset-info.js';
import { itemExtent } from './item-extent.js';
import { type Metatile, metatiles, middleMetatile, pickMetatileSide } from './metatiles.js';
import { renderBlock, tileEncoding } from './render-block.js';
import { renderSpec } from './render-spec.js';
import { WarpSource } from './warp-source.js';

/** Deep-zoom blocks timed: enough for the warps of later blocks to overlap earlier encodes. */
const TIMED_BLOCKS = 4;
/** Files smaller than a block still take a whole one in a tile directory. */
const FILE_BLOCK_BYTES = 4096;

interface Usable {
  info: DatasetInfo;
  extent: Bbox;
  zooms: ZoomPlan[];
  tiles: number;
}

interface ZoomSample {
  z: number;
  tiles: number;
  bytes: number;
}

/**
 * What a tile can take at most: raw RGBA plus half again (PNG's and WebP's worst case on noise is
 * just above raw; JPEG at quality 100 stays below) and a file-system block.
 */
export function worstCaseTileBytes(tileSize: number): number {
  return tileSize * tileSize * 4 * 1.5 + FILE_BLOCK_BYTES;
}

export interface EstimateOptions {
  /** Render a sample (default). Without it, bytes are the worst case per tile and time is unknown. */
  sample?: boolean;
}

export async function estimateRasterPreseed(
  params: RasterPreseedParams,
  env: KindEnvironment,
  signal: AbortSignal,
  options: EstimateOptions = {},
): Promise<JobEstimate> {
  const coverage: Coverage | undefined = params.coverage ? await loadCoverage(params.coverage) : undefined;
  const datasets: JobEstimate['datasets'] = [];
  const perZoom = new Map<number, number>();
  const usable: Usable[] = [];
  for (const path of params.datasets) {
    throwIfAborted(signal);
    try {
      const info = await inspectDataset(path);
      const extent = itemExtent(path, info.bounds, params.bbox, coverage);
      const zooms = planTiles(extent, params.minZoom, params.maxZoom, coverage);
      const tiles = zooms.reduce((n, z) => n + z.tiles, 0);
      if (tiles === 0)
        throw new TesseraError('OUTSIDE_EXTENT', `${path}: the coverage's polygons touch none of its tiles at z${params.minZoom}–${params.maxZoom}`, {
          details: { path },
        });
      datasets.push({ path, bounds: extent, tiles, error: null });
      for (const z of zooms) perZoom.set(z.z, (perZoom.get(z.z) ?? 0) + z.tiles);
      usable.push({ info, extent, zooms, tiles });
    } catch (error) {
      if (isAbortError(error)) throw error;
      datasets.push({ path, bounds: null, tiles: 0, error: serializeError(error) });
    }
  }
  const zooms = [...perZoom].map(([z, tiles]) => ({ z, tiles })).sort((a, b) => a.z - b.z);
  const totalTiles = zooms.reduce((n, z) => n + z.tiles, 0);

  let sample: JobEstimate['sample'] = null;
  let estimatedBytes: number | null = null;
  let estimatedSeconds: number | null = null;
  const largest = usable.sort((a, b) => b.tiles - a.tiles)[0];
  if (options.sample === false) {
    estimatedBytes = totalTiles * worstCaseTileBytes(params.tileSize);
  } else if (largest) {
    const measured = await sampleDataset(largest, params, env, signal, coverage);
    if (measured?.zooms.some((z) => z.tiles > 0)) {
      const perTile = (s: ZoomSample) => {
        const bytes = s.tiles > 0 ? s.bytes / s.tiles : 0;
        return writerKindFor(params.output) === 'directory' && bytes > 0 ? Math.ceil(bytes / FILE_BLOCK_BYTES) * FILE_BLOCK_BYTES : bytes;
      };
      const [shallow, deep] = measured.zooms;
      // Each zoom's tiles cost what the nearer sample's did.
      const split = deep ? (shallow!.z + deep.z) / 2 : Infinity;
      estimatedBytes = Math.round(zooms.reduce((n, z) => n + z.tiles * perTile(z.z > split && deep ? deep : shallow!), 0));
      const secondsPerTile = measured.tiles > 0 ? measured.seconds / measured.tiles : 0;
      estimatedSeconds = measured.tiles > 0 ? totalTiles * secondsPerTile : null;
      sample = { tiles: measured.zooms.reduce((n, z) => n + z.tiles, 0), bytesPerTile: totalTiles > 0 ? estimatedBytes / totalTiles : 0, secondsPerTile };
    }
  }
  const storage = await checkFits({ output: params.output, bytes: estimatedBytes, settings: env.settings(), dataDir: env.dataDir });
  return { kind: 'preseed-raster', datasets, zooms, totalTiles, sample, estimatedBytes, estimatedSeconds, storage };
}

/**
 * Renders (without writing) metatiles near the middle of the dataset: one at its middle zoom
 * first, which also warms GDAL (PROJ, block cache) and the workers up and is not timed, then
 * TIMED_BLOCKS at its deepest zoom, all at once so that warps and encodes overlap as in a job, timed. Null when nothing can be rendered (the
 * dataset's own item will then fail and say why).
 */
async function sampleDataset(
  dataset: Usable,
  params: RasterPreseedParams,
  env: KindEnvironment,
  signal: AbortSignal,
  coverage: Coverage | undefined,
): Promise<{ tiles: number; seconds: number; zooms: ZoomSample[] } | null> {
  const withTiles = dataset.zooms.filter((z) => z.tiles > 0).map((z) => z.z);
  if (withTiles.length === 0) return null;
  const shallowZ = withTiles[Math.floor((withTiles.length - 1) / 2)]!;
  const deepZ = withTiles[withTiles.length - 1]!;
  const side = pickMetatileSide(params.tileSize);
  const index = coverage ? new CoverageIndex(coverage) : undefined;
  const warm = middleMetatile(dataset.extent, shallowZ, side, index);
  if (!warm) return null;
  const deepFirst = shallowZ === deepZ ? null : middleMetatile(dataset.extent, deepZ, side, index);
  const timed: Metatile[] = [];
  for (const block of metatiles(dataset.extent, deepZ, side, index, (deepFirst ?? warm).index + (deepFirst ? 0 : 1))) {
    timed.push(block);
    if (timed.length === TIMED_BLOCKS) break;
  }
  let source: WarpSource;
  try {
    source = await WarpSource.open(dataset.info, renderSpec(dataset.info), 2);
  } catch (error) {
    if (isAbortError(error)) throw error;
    return null;
  }
  try {
    const stretch = await source.stretch(params.scale);
    const style = {
      tileSize: params.tileSize,
      encoding: tileEncoding(params),
      resampling: params.resampling,
      stretch,
    };
    const bytesOf = (r: RasterTilesResult) => r.tiles.reduce((n, t) => n + (t.data?.byteLength ?? 0), 0);
    const first = await renderBlock(source, env.pool, warm, warm.tiles, style, signal);
    const zooms: ZoomSample[] = [{ z: shallowZ, tiles: first.tiles.length, bytes: bytesOf(first) }];
    if (timed.length === 0) return { tiles: first.tiles.length, seconds: 0, zooms };
    const started = performance.now();
    const results = await Promise.all(timed.map((block) => renderBlock(source, env.pool, block, block.tiles, style, signal)));
    const seconds = (performance.now() - started) / 1000;
    const deep = { z: deepZ, tiles: results.reduce((n, r) => n + r.tiles.length, 0), bytes: results.reduce((n, r) => n + bytesOf(r), 0) };
    if (deepZ === shallowZ) zooms[0] = { z: deepZ, tiles: zooms[0]!.tiles + deep.tiles, bytes: zooms[0]!.bytes + deep.bytes };
    else zooms.push(deep);
    return { tiles: deep.tiles, seconds, zooms };
  } catch (error) {
    if (isAbortError(error) || signal.aborted) throw error;
    return null;
  } finally {
    await source.close();
  }
}
