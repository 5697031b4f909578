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
import type { Bbox, RasterPreseedParams } from '../../../shared/contract.js';
import { AbortError, TesseraError, throwIfAborted } from '../../../shared/errors.js';
import type { Coverage } from '../../tiling/coverage.js';
import { CoverageIndex, type ZoomPlan, planTiles } from '../../tiling/tile-plan.js';
import { countPresentTiles } from '../../tile-cache/present-tiles.js';
import { unionBbox } from '../../../shared/tile-grid.js';
import { type TileToWrite, type TileWriter, type WrittenTileFormat, tileKey } from '../../tile-cache/tile-writer.js';
import { inspectDataset } from './dataset-info.js';
import { itemExtent } from './item-extent.js';
import { type Metatile, metatiles, pickMetatileSide } from './metatiles.js';
import { type BlockStyle, type TileJob, renderBlock } from './render-block.js';
import { describeSpec, renderSpec } from './render-spec.js';
import { type ModeRule, type TileAction, decideTile } from './tile-decisions.js';
import { WarpSource } from './warp-source.js';
import { estimateRasterPreseed } from './estimate.js';
import type { RasterTilesResult } from '../../../workers/raster-tiles.js';
import { assertFits } from '../../disk/disk-guard.js';
import type { ItemContext, JobKindPlugin } from '../../kinds/job-kind.js';
import { isGdalVirtualPath } from '../../paths/output-path.js';
import {
  type OpenedOutput,
  type PreseedItemSpec,
  checkPreseedPaths,
  describePreseed,
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
/** Tiles per writer transaction (and so at most what a resume after a kill redoes)… */
export const WRITE_BATCH_TILES = 256;
/** …unless the batch has waited this long: progress and checkpoints stay fresh on slow sources. */
const WRITE_BATCH_MS = 1000;

/** A dataset; plannedAt: tiles written since are this job's (see tile-decisions.ts). */
type ItemSpec = PreseedItemSpec;

interface RasterCheckpoint {
  /** The item's tile total has been added to its counters. */
  counted: boolean;
  /** Next block to make: zoom z, block index `next` (blocks before it are finished). */
  z: number;
  next: number;
  written: number;
  transparent: number;
  kept: number;
  removed: number;
  bytes: number;
  /**
   * Set when the item's walk ended but the cache lacked some of its tiles: the next attempt walks
   * again from the start, taking tiles written before this instant (ms) as the output's, so the
   * mode keeps or replaces them and only what is missing is made.
   */
  rewalkFrom?: number;
  /** The walk starts over at the next attempt, its counters taken back first. */
  rewalk?: boolean;
  /** When this walk of the item began (ms): tiles written since are its own (ModeRule.ownSince). */
  startedAt?: number;
}

type RasterItemContext = ItemContext<RasterSession, RasterCheckpoint>;

export interface RasterSession extends OpenedOutput {
  coverage: Coverage | undefined;
  coverageIndex: CoverageIndex | undefined;
}

export const WRITTEN_FORMAT: Record<RasterPreseedParams['format'], WrittenTileFormat> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

export const rasterPreseedKind: JobKindPlugin<'preseed-raster', ItemSpec, RasterCheckpoint, RasterSession> = {
  kind: 'preseed-raster',
  // Items share tiles along dataset edges and compose over each other: one at a time keeps that
  // read-compose-write free of races; an item keeps the whole pool busy on its own.
  itemConcurrency: 1,

  describe: (params) => describePreseed('raster', params.datasets, 'datasets', params.output),

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
    let tally: RasterCheckpoint = item.checkpoint ?? { counted: false, z: params.minZoom, next: 0, written: 0, transparent: 0, kept: 0, removed: 0, bytes: 0 };
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
        format: params.format,
        quality: params.quality,
        pngPalette: params.pngPalette,
        resampling: params.resampling,
        stretch: await source.stretch(params.scale),
      };
      const rule: ModeRule = {
        mode: params.mode,
        olderThanMs: params.olderThan ? Date.parse(params.olderThan) : null,
        plannedAt: tally.rewalkFrom ?? spec.plannedAt,
        ownSince: tally.startedAt,
      };
      await runBlocks({ params, ctx, session, source, style, rule, extent, tally });
      finished = true;
      await assertTilesPresent(spec.path, zooms, total, tally, session.writer, ctx);
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
    z: zooms[0]?.z ?? tally.z,
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

interface BlockRun {
  params: RasterPreseedParams;
  ctx: RasterItemContext;
  session: RasterSession;
  source: WarpSource;
  style: BlockStyle;
  rule: ModeRule;
  extent: Bbox;
  tally: RasterCheckpoint;
}

interface InFlight {
  block: Metatile;
  actions: Map<string, TileAction>;
  kept: number;
  result: Promise<RasterTilesResult | null>;
}

/**
 * Walks the item's blocks from its checkpoint: decides each tile (modes), renders what must be
 * made, and settles blocks strictly in order (write, then checkpoint), with a window of blocks in
 * flight so GDAL's warps and the pool's encoders overlap.
 */
async function runBlocks(run: BlockRun): Promise<void> {
  const { params, ctx, session, source, style, rule, extent, tally } = run;
  const side = pickMetatileSide(params.tileSize);
  // Enough blocks ahead that both warps and every encoder have work while the oldest is written.
  const window = source.concurrency + ctx.pool.threads;
  const inFlight: InFlight[] = [];

  // Finished blocks wait here until a batch is worth a transaction: each commit is an fsync
  // (synchronous=FULL) that blocks this thread, and per 16-tile block that cost more than the
  // warps (~20 ms a commit here). A resume redoes at most one unwritten batch.
  let pending = emptyBatch();

  const flush = async (): Promise<void> => {
    const batch = pending;
    if (batch.blocks === 0) return;
    if (batch.writes.length > 0 || batch.removals.length > 0) await ctx.waitForSpace(params.output);
    if (batch.writes.length > 0) await session.writer.write(batch.writes);
    if (batch.removals.length > 0) await session.writer.remove(batch.removals);
    pending = emptyBatch();
    const bytes = batch.writes.reduce((n, t) => n + t.data.byteLength, 0);
    tally.written += batch.writes.length;
    tally.transparent += batch.transparent;
    tally.kept += batch.kept;
    tally.removed += batch.removals.length;
    tally.bytes += bytes;
    tally.z = batch.z;
    tally.next = batch.next;
    // A fully transparent tile is not made: it leaves the total as it is found, so done ends at
    // the total and the job says how many it skipped.
    ctx.progress({ done: batch.tiles - batch.transparent, total: -batch.transparent, skipped: batch.transparent, bytes });
    ctx.count('tilesProcessed', batch.tiles);
    if (batch.writes.length > 0) {
      ctx.count('tilesWritten', batch.writes.length);
      ctx.count('bytesWritten', bytes);
    }
    ctx.checkpoint({ ...tally });
  };

  const settleOldest = async (): Promise<void> => {
    const head = inFlight.shift()!;
    // A warp cannot be interrupted, but waiting for it need not hold up a cancel.
    const rendered = await untilAborted(head.result, ctx.signal);
    for (const tile of rendered?.tiles ?? []) {
      if (tile.data) pending.writes.push({ z: head.block.z, x: tile.x, y: tile.y, data: tile.data });
      else {
        pending.transparent++;
        // A tile of the output as it was before the job, now transparent: it must not stay.
        if (head.actions.get(tileKey(tile.x, tile.y)) === 'replace') pending.removals.push({ z: head.block.z, x: tile.x, y: tile.y });
      }
    }
    pending.blocks++;
    pending.tiles += head.block.tiles.length;
    pending.kept += head.kept;
    pending.z = head.block.z;
    pending.next = head.block.index + 1;
    if (pending.tiles >= WRITE_BATCH_TILES || performance.now() - pending.since >= WRITE_BATCH_MS) await flush();
  };

  try {
    for (let z = tally.z; z <= params.maxZoom; z++) {
      for (const block of metatiles(extent, z, side, session.coverageIndex, z === tally.z ? tally.next : 0)) {
        throwIfAborted(ctx.signal);
        const written = await session.writer.writtenAt(z, block.minX, block.minY, block.maxX, block.maxY);
        const actions = new Map<string, TileAction>();
        const jobs: TileJob[] = [];
        let kept = 0;
        for (const t of block.tiles) {
          const action = decideTile(written.get(tileKey(t.x, t.y)), rule);
          actions.set(tileKey(t.x, t.y), action);
          if (action === 'keep') kept++;
          else jobs.push({ x: t.x, y: t.y });
        }
        for (const job of jobs) {
          if (actions.get(tileKey(job.x, job.y)) !== 'compose') continue;
          const under = await session.writer.readTile(z, job.x, job.y);
          if (under) job.under = under;
        }
        await ctx.pool.whenReady(ctx.signal);
        const result = jobs.length === 0 ? Promise.resolve(null) : renderBlock(source, ctx.pool, block, jobs, style, ctx.signal);
        result.catch(() => {}); // awaited in order by settleOldest; this only keeps an early rejection from going unhandled
        inFlight.push({ block, actions, kept, result });
        if (inFlight.length >= window) await settleOldest();
      }
    }
    while (inFlight.length > 0) await settleOldest();
    await flush();
  } catch (error) {
    // A failing block (a dataset that breaks part-way) keeps what was made before it: written and
    // checkpointed, so a retry starts after it. A cancel writes nothing more.
    if (!ctx.signal.aborted && pending.blocks > 0) await flush().catch(() => {});
    throw error;
  }
}

interface PendingBatch {
  since: number;
  blocks: number;
  tiles: number;
  writes: TileToWrite[];
  removals: { z: number; x: number; y: number }[];
  transparent: number;
  kept: number;
  /** The checkpoint once this batch is written. */
  z: number;
  next: number;
}

function emptyBatch(): PendingBatch {
  return { since: performance.now(), blocks: 0, tiles: 0, writes: [], removals: [], transparent: 0, kept: 0, z: 0, next: 0 };
}

/** `promise`, or an AbortError as soon as `signal` fires (the promise itself runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
