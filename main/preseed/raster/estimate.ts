/**
 * The dry run of a raster preseed (jobs.estimate, and jobs.start's refusal): per dataset its
 * extent and tile count over the real extent, tiles per zoom, a small real sample for bytes and
 * time, and whether that fits the output's volume and the cache quota.
 *
 * The sample renders metatiles of the largest dataset at several zooms (the deepest, the one above,
 * the middle one: deep zooms hold most of the tiles and often compress differently, an upsampled
 * image being smoother), spread over its extent, through the real pipeline (GDAL warp, worker
 * encode). Each zoom's tiles are costed at the nearest sampled zoom, and the spread between blocks
 * gives the range. Tiles shared by neighbouring datasets count once per dataset
 * (each renders them), which slightly overstates the bytes: the safe side for a quota.
 */
import type { Bbox, JobEstimate, RasterPreseedParams } from '../../../shared/contract.js';
import { TesseraError, isAbortError, serializeError, throwIfAborted } from '../../../shared/errors.js';
import { type Coverage, loadCoverage } from '../../tiling/coverage.js';
import { CoverageIndex, type ZoomPlan, planTiles } from '../../tiling/tile-plan.js';
import { writerKindFor } from '../../tile-cache/tile-writer.js';
import { checkFits } from '../../disk/disk-guard.js';
import type { KindEnvironment } from '../../kinds/job-kind.js';
import { type DatasetInfo, inspectDataset } from './dataset-info.js';
import { itemExtent } from './item-extent.js';
import { nativeZoom } from './native-zoom.js';
import { type Metatile, metatileAt, metatileGrid, middleMetatile, pickMetatileSide } from './metatiles.js';
import { spreadCells, totalRange } from '../estimate-sample.js';
import { renderBlock, tileEncoding } from './render-block.js';
import { renderSpec } from './render-spec.js';
import { WarpSource } from './warp-source.js';

/**
 * Blocks timed, shared among the sampled zooms: enough for the warps of some blocks to overlap
 * the encodes of others, and to meet several parts of the extent at each zoom.
 */
const SAMPLE_BLOCKS = 8;
/** Files smaller than a block still take a whole one in a tile directory. */
const FILE_BLOCK_BYTES = 4096;

interface Usable {
  info: DatasetInfo;
  extent: Bbox;
  zooms: ZoomPlan[];
  tiles: number;
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
      const native = info.pixelGround ? nativeZoom(info.pixelGround, params.tileSize) : null;
      datasets.push({ path, bounds: extent, tiles, error: null, nativeZoom: native });
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
  let range: JobEstimate['range'] = null;
  let someTransparent = false;
  const largest = usable.sort((a, b) => b.tiles - a.tiles)[0];
  if (options.sample === false) {
    estimatedBytes = totalTiles * worstCaseTileBytes(params.tileSize);
  } else if (largest) {
    const measured = await sampleDataset(largest, params, env, signal, coverage);
    if (measured && measured.length > 0) {
      const directory = writerKindFor(params.output) === 'directory';
      const fileBytes = (bytes: number) => (directory && bytes > 0 ? Math.ceil(bytes / FILE_BLOCK_BYTES) * FILE_BLOCK_BYTES : bytes);
      // Each zoom is costed at the nearest sampled zoom's blocks.
      const nearest = (z: number) => measured.reduce((best, m) => (Math.abs(m.z - z) < Math.abs(best.z - z) ? m : best));
      let made = 0;
      let bytes = 0;
      let seconds = 0;
      for (const z of zooms) {
        const m = nearest(z.z);
        const share = m.tiles > 0 ? m.made / m.tiles : 0;
        made += z.tiles * share;
        bytes += z.tiles * share * (m.made > 0 ? fileBytes(m.bytes / m.made) : 0);
        seconds += z.tiles * (m.tiles > 0 ? m.seconds / m.tiles : 0);
      }
      const blocks = measured.flatMap((m) => m.blocks);
      someTransparent = measured.some((m) => m.made < m.tiles);
      // How uneven the blocks are (each against its zoom's mean), as a factor on the totals.
      const plannedBlocks = Math.max(blocks.length, Math.ceil(totalTiles / pickMetatileSide(params.tileSize) ** 2));
      const spread = (values: number[], widen: boolean): [number, number] => {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        if (!(mean > 0)) return [1, 1];
        const [low, high] = totalRange(
          values.map((v) => v / mean),
          plannedBlocks,
          widen,
        );
        return [low / plannedBlocks, high / plannedBlocks];
      };
      const timed = measured.filter((m) => m.timed).flatMap((m) => m.blocks.map((b) => b.seconds / Math.max(1, b.tiles) / (m.seconds / Math.max(1, m.tiles))));
      // Each block against its own zoom's mean per tile: zooms differ (a shallow tile holds more detail).
      const relative = (key: 'made' | 'bytes') =>
        measured.flatMap((m) =>
          m.blocks.map((b) => {
            const mean = m.tiles > 0 ? m[key] / m.tiles : 0;
            return mean > 0 && b.tiles > 0 ? b[key] / b.tiles / mean : 1;
          }),
        );
      const madeSpread = spread(relative('made'), false);
      const bytesSpread = spread(relative('bytes'), true);
      const secondsSpread = timed.length > 0 ? spread(timed, true) : ([1, 1] as [number, number]);
      const sampled = measured.reduce((n, m) => n + m.tiles, 0);
      estimatedBytes = Math.round(bytes);
      estimatedSeconds = seconds > 0 ? seconds : null;
      range = {
        tiles: [Math.round(Math.max(0, made * madeSpread[0])), Math.round(Math.min(totalTiles, made * madeSpread[1]))],
        bytes: [Math.round(bytes * bytesSpread[0]), Math.round(bytes * bytesSpread[1])],
        seconds: [seconds * secondsSpread[0], seconds * secondsSpread[1]],
      };
      sample = {
        tiles: sampled,
        zooms: measured.map((m) => m.z),
        bytesPerTile: totalTiles > 0 ? estimatedBytes / totalTiles : 0,
        secondsPerTile: totalTiles > 0 ? seconds / totalTiles : 0,
      };
    }
  }
  const storage = await checkFits({ output: params.output, bytes: estimatedBytes, settings: env.settings(), dataDir: env.dataDir });
  return {
    kind: 'preseed-raster',
    datasets,
    zooms,
    totalTiles,
    // Fully transparent tiles (outside a tilted or nodata footprint) are skipped by the job.
    tilesUpperBound: someTransparent || usable.some((u) => u.info.rectangle === null || u.info.bands.some((b) => !b.allValid)),
    sample,
    estimatedBytes,
    estimatedSeconds,
    range,
    storage,
  };
}

/** One block of the sample: tiles rendered, those not fully transparent, their bytes, its share of the wall time. */
interface BlockSample {
  tiles: number;
  made: number;
  bytes: number;
  seconds: number;
}

/** A sampled zoom: its blocks together, and whether they were timed (the warm-up block is not). */
interface ZoomSample extends BlockSample {
  z: number;
  timed: boolean;
  blocks: BlockSample[];
}

/**
 * Which zooms to sample, and how many blocks at each: the deepest (most of the tiles, often
 * compressing differently), the one above it and the middle one, SAMPLE_BLOCKS shared among them
 * by their tile counts (one each at least).
 */
function sampleZooms(zooms: readonly ZoomPlan[]): { z: number; blocks: number }[] {
  const withTiles = zooms.filter((z) => z.tiles > 0);
  if (withTiles.length === 0) return [];
  const picked = [...new Set([withTiles.length - 1, withTiles.length - 2, Math.floor((withTiles.length - 1) / 2)].filter((i) => i >= 0))].map(
    (i) => withTiles[i]!,
  );
  const sum = picked.reduce((n, z) => n + z.tiles, 0);
  return picked.map((z) => ({ z: z.z, blocks: Math.max(1, Math.round((SAMPLE_BLOCKS * z.tiles) / sum)) })).sort((a, b) => a.z - b.z);
}

/**
 * Renders (without writing) blocks of the dataset through the real pipeline (GDAL warp, worker
 * encode): first the middle block of the shallowest sampled zoom, which warms GDAL (PROJ, block
 * cache) and the workers up and is not timed, then at each sampled zoom its blocks spread over the
 * extent, all of a zoom at once so that warps and encodes overlap as in a job, timed. Null when
 * nothing can be rendered (the dataset's own item will then fail and say why).
 */
async function sampleDataset(
  dataset: Usable,
  params: RasterPreseedParams,
  env: KindEnvironment,
  signal: AbortSignal,
  coverage: Coverage | undefined,
): Promise<ZoomSample[] | null> {
  const plan = sampleZooms(dataset.zooms);
  if (plan.length === 0) return null;
  const side = pickMetatileSide(params.tileSize);
  const index = coverage ? new CoverageIndex(coverage) : undefined;
  const warm = middleMetatile(dataset.extent, plan[0]!.z, side, index);
  if (!warm) return null;
  const blocksAt = (z: number, k: number): Metatile[] => {
    const grid = metatileGrid(dataset.extent, z, side);
    if (!grid) return [];
    return spreadCells(grid.columns, grid.rows, k * 4)
      .map((c) => metatileAt(grid, c.row * grid.columns + c.col, index))
      .filter((b) => b.tiles.length > 0)
      .slice(0, k);
  };
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
    const render = async (block: Metatile): Promise<BlockSample> => {
      const started = performance.now();
      const r = await renderBlock(source, env.pool, block, block.tiles, style, signal);
      const made = r.tiles.filter((t) => t.data !== null);
      return {
        tiles: r.tiles.length,
        made: made.length,
        bytes: made.reduce((n, t) => n + t.data!.byteLength, 0),
        seconds: (performance.now() - started) / 1000,
      };
    };
    const add = (blocks: BlockSample[]) => ({
      tiles: blocks.reduce((n, b) => n + b.tiles, 0),
      made: blocks.reduce((n, b) => n + b.made, 0),
      bytes: blocks.reduce((n, b) => n + b.bytes, 0),
    });
    const first = await render(warm);
    const out: ZoomSample[] = [];
    for (const { z, blocks: k } of plan) {
      const blocks = blocksAt(z, k);
      if (blocks.length === 0) continue;
      const started = performance.now();
      const results = await Promise.all(blocks.map(render));
      const wall = (performance.now() - started) / 1000;
      // A job keeps its warps and encodes busy block after block; a batch of a few blocks spends
      // its first one filling that pipeline. So with 3 blocks or more, the rate is that of the
      // blocks after the first to finish (tiles over the time between the first end and the last).
      const ends = results.map((b) => b.seconds).sort((a, b) => a - b);
      const firstEnd = results.find((b) => b.seconds === ends[0])!;
      const after = results.reduce((n, b) => n + b.tiles, 0) - firstEnd.tiles;
      const span = ends[ends.length - 1]! - ends[0]!;
      const seconds = results.length >= 3 && after > 0 && span > 0 ? (span * (after + firstEnd.tiles)) / after : wall;
      // Each block's share of the wall time: its own time, scaled so that the shares add up to it.
      const own = results.reduce((n, b) => n + b.seconds, 0);
      for (const b of results) b.seconds = own > 0 ? (b.seconds * seconds) / own : seconds / results.length;
      out.push({ z, timed: true, ...add(results), seconds, blocks: results });
    }
    if (out.length === 0) out.push({ z: warm.z, timed: false, ...add([first]), seconds: first.seconds, blocks: [first] });
    return out;
  } catch (error) {
    if (isAbortError(error) || signal.aborted) throw error;
    return null;
  } finally {
    await source.close();
  }
}
