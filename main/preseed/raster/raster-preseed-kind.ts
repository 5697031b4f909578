/**
 * preseed-raster: GDAL rasters (any CRS) to PNG/JPEG/WebP tiles in one MBTiles, PMTiles or z/x/y
 * output. One item per dataset, so a dataset that cannot be read, has no georeference or lies
 * outside the extent fails its own item (the job ends partial), never the job.
 *
 * An item walks its zoom levels in metatiles (main/preseed/raster/metatiles.ts). Each metatile is
 * warped by GDAL on this thread (async API, one dataset handle per concurrent warp), then cut and
 * encoded in a pool worker; several metatiles are in flight so GDAL and the workers overlap.
 * Results are settled in order and written in batches of whole metatiles (up to 256 tiles or one
 * second), each followed by a checkpoint "zoom z, next block n", so a resume never renders a
 * finished block again.
 *
 * Several datasets write into one output as a mosaic: later datasets over earlier ones, composed
 * tile by tile where they share a tile (main/preseed/raster/tile-decisions.ts).
 */
import { basename } from 'node:path';
import { rasterPreseedName } from '../../../shared/preseed-name.js';
import type { Bbox, RasterPreseedParams } from '../../../shared/contract.js';
import { TesseraError } from '../../../shared/errors.js';
import { CoverageIndex, type ZoomPlan, planTiles } from '../../tiling/tile-plan.js';
import { countPresentTiles } from '../../tile-cache/present-tiles.js';
import { unionBbox } from '../../../shared/tile-grid.js';
import type { TileWriter, WrittenTileFormat } from '../../tile-cache/tile-writer.js';
import { type RasterCheckpoint, type RasterSession, runBlocks } from './block-walk.js';
import { inspectDataset } from './dataset-info.js';
import { itemExtent } from './item-extent.js';
import { overviewsFit, zoomWalk } from './overview-levels.js';
import { type BlockStyle, tileEncoding } from './render-block.js';
import { describeSpec, renderSpec } from './render-spec.js';
import type { ModeRule } from './tile-decisions.js';
import { WarpSource } from './warp-source.js';
import { estimateRasterPreseed } from './estimate.js';
import { assertFits } from '../../disk/disk-guard.js';
import type { ItemContext, JobKindPlugin } from '../../kinds/job-kind.js';
import { isGdalVirtualPath } from '../../paths/output-path.js';
import {
  type PreseedItemSpec,
  checkPreseedPaths,
  estimateAtWritableOutput,
  finishOutput,
  loadJobCoverage,
  openOutput,
  planInputs,
  throwIssues,
} from '../preseed-kind-parts.js';

/**
 * Dataset handles, and so warps at once, per item: the measured best for model A on this class of
 * machine (docs/gdal-threading.md); GDAL shares libuv's pool with sharp, so more warps would
 * queue the encoders behind them.
 */
const WARP_HANDLES = 2;

export type { RasterSession } from './block-walk.js';

/** A dataset; plannedAt: tiles written since are this job's (see tile-decisions.ts). */
type ItemSpec = PreseedItemSpec;

type RasterItemContext = ItemContext<RasterSession, RasterCheckpoint>;

export const WRITTEN_FORMAT: Record<RasterPreseedParams['format'], WrittenTileFormat> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

export const rasterPreseedKind: JobKindPlugin<'preseed-raster', ItemSpec, RasterCheckpoint, RasterSession> = {
  kind: 'preseed-raster',
  // Items share tiles along dataset edges and compose over each other: one at a time keeps that
  // read-compose-write free of races; an item keeps the whole pool busy on its own.
  itemConcurrency: 1,

  describe: (params) => rasterPreseedName(params),

  async validate(params, env) {
    throwIssues(
      await checkPreseedPaths({
        inputs: params.datasets,
        inputField: 'params.datasets',
        coverage: params.coverage,
        output: params.output,
        isVirtual: isGdalVirtualPath,
        missing: (path) => `no such file: ${path}`,
        // A few rasters are folders (Arc/Info binary grids): a folder is refused here only when GDAL
        // cannot open it as one, since its item would fail at once anyway.
        checkExisting: async (path, info) => {
          if (!info.isDirectory()) return null;
          const opens = await inspectDataset(path).then(
            () => true,
            () => false,
          );
          return opens ? null : `${path} is a folder, not a raster dataset`;
        },
      }),
    );
    // Most jobs fit even if every tile took its worst case: then no sample needs rendering, and the
    // job starts at once. Only when that bound does not fit does a sampled estimate decide.
    const signal = AbortSignal.timeout(60_000);
    const bound = await estimateRasterPreseed(params, env, signal, { sample: false });
    if (bound.storage.problem === null) return;
    assertFits(await estimateRasterPreseed(params, env, signal));
  },

  estimate: estimateAtWritableOutput(estimateRasterPreseed),

  plan: async (params) => planInputs(params.datasets),

  async begin(params, _env, signal) {
    const coverage = await loadJobCoverage(params.coverage, signal);
    const { writer, existed } = await openOutput(params.output, { format: WRITTEN_FORMAT[params.format], tileSize: params.tileSize });
    return { writer, existed, coverage, coverageIndex: coverage ? new CoverageIndex(coverage) : undefined } satisfies RasterSession;
  },

  async end(params, session, outcome) {
    await finishOutput(params, session, outcome, async () => {
      let bounds: Bbox | null = null;
      for (const item of outcome.items) {
        const b = item.state === 'succeeded' ? (item.result?.bounds as Bbox | undefined) : undefined;
        if (b) bounds = bounds ? unionBbox(bounds, b) : b;
      }
      if (!bounds) return null; // nothing succeeded: no tileset to describe
      return {
        format: WRITTEN_FORMAT[params.format],
        bounds,
        type: 'baselayer',
        description: `Rendered by Tessera from ${params.datasets.map((d) => basename(d)).join(', ')}`,
      };
    });
  },

  async runItem(params, item, ctx) {
    const spec = item.spec;
    const session = ctx.session;
    const info = await inspectDataset(spec.path);
    const extent = itemExtent(spec.path, info.bounds, params.bbox, session.coverage);
    const zooms = planTiles(extent, params.minZoom, params.maxZoom, session.coverage);
    const total = zooms.reduce((n, z) => n + z.tiles, 0);
    if (total === 0) {
      throw new TesseraError('OUTSIDE_EXTENT', `${spec.path}: the coverage's polygons touch none of its tiles at z${params.minZoom}–${params.maxZoom}`, {
        details: { path: spec.path },
      });
    }
    // A fresh item walks down when its lower levels can come from their children; a checkpoint
    // keeps the order it was made in, so a resume never walks the other way.
    const down = item.checkpoint
      ? item.checkpoint.walk === 'down'
      : overviewsFit(params, extent, itemExtent(spec.path, info.bounds, undefined, undefined), session.coverage);
    const walk = zoomWalk(params.minZoom, params.maxZoom, down);
    let tally: RasterCheckpoint = item.checkpoint ?? {
      counted: false,
      ...(down ? { walk: 'down' as const } : {}),
      z: walk.order[0]!,
      next: 0,
      written: 0,
      transparent: 0,
      kept: 0,
      removed: 0,
      bytes: 0,
    };
    if (!tally.counted) {
      ctx.progress({ total: total - item.total });
      tally.counted = true;
      tally.startedAt = Date.now();
      ctx.checkpoint({ ...tally });
    }
    if (tally.rewalk) {
      // The last walk left holes (see assertTilesPresent): this one starts over, counted afresh.
      ctx.progress({ done: -item.done, bytes: -item.bytes, total: item.skipped, skipped: -item.skipped });
      tally = { ...tally, rewalk: false, startedAt: Date.now() };
      ctx.checkpoint({ ...tally });
    }
    const renderSpecOf = renderSpec(info);
    const source = await WarpSource.open(info, renderSpecOf, WARP_HANDLES);
    let finished = false;
    try {
      const style: BlockStyle = {
        tileSize: params.tileSize,
        encoding: tileEncoding(params),
        resampling: params.resampling,
        stretch: await source.stretch(params.scale),
      };
      const rule: ModeRule = {
        mode: params.mode,
        olderThanMs: params.olderThan ? Date.parse(params.olderThan) : null,
        plannedAt: tally.rewalkFrom ?? spec.plannedAt,
        ownSince: tally.startedAt,
      };
      await runBlocks({ params, ctx, session, source, style, rule, extent, walk, tally });
      finished = true;
      await assertTilesPresent(spec.path, zooms, walk.order[0]!, total, tally, session.writer, ctx);
    } finally {
      // After a cancel, warps already running finish on libuv's pool; the handles close after them
      // without holding up the cancel.
      const closing = source.close();
      if (finished || !ctx.signal.aborted) await closing;
      else closing.catch(() => {});
    }
    return {
      path: spec.path,
      bounds: extent,
      footprint: info.bounds,
      pixels: describeSpec(info, renderSpecOf),
      zooms: zooms.map((z) => ({ z: z.z, tiles: z.tiles })),
      tiles: total,
      written: tally.written,
      transparent: tally.transparent,
      kept: tally.kept,
      removed: tally.removed,
      bytes: tally.bytes,
    };
  },
};

/**
 * Every tile the item walked is in the output or was skipped as fully transparent: otherwise
 * (a write lost to a crash between two stores, a tile removed under the job) the item fails
 * with the numbers, and its next attempt walks again for the missing tiles.
 */
async function assertTilesPresent(
  path: string,
  zooms: readonly ZoomPlan[],
  firstZoom: number,
  total: number,
  tally: RasterCheckpoint,
  writer: TileWriter,
  ctx: RasterItemContext,
): Promise<void> {
  const present = await countPresentTiles(
    writer,
    zooms.map((z) => z.range),
    ctx.signal,
  );
  if (present + tally.transparent >= total) return;
  const missing = total - tally.transparent - present;
  ctx.checkpoint({
    counted: true,
    ...(tally.walk ? { walk: tally.walk } : {}),
    z: firstZoom,
    next: 0,
    written: 0,
    transparent: 0,
    kept: 0,
    removed: 0,
    bytes: 0,
    rewalkFrom: Date.now(),
    rewalk: true,
  } satisfies RasterCheckpoint);
  throw new TesseraError(
    'WRITE_FAILED',
    `${path}: the cache holds ${present} of the ${total - tally.transparent} tiles made for it (${missing} missing); walking again to make them`,
    {
      // Transient: the engine's next attempt walks again for the missing tiles (see rewalkFrom).
      transient: true,
      details: { path, present, expected: total - tally.transparent, missing },
    },
  );
}
