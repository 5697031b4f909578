/**
 * One raster preseed item's walk over its blocks (metatiles), level by level in the walk's order
 * (main/preseed/raster/overview-levels.ts): each block's tiles are decided (the modes), made by a
 * warp of the source or from their children already in the output, and settled strictly in order
 * (write, then checkpoint "zoom z, next block n"), with a window of blocks in flight so GDAL's warps
 * and the pool's encoders overlap.
 */
import type { Bbox, RasterPreseedParams } from '../../../shared/contract.js';
import { AbortError, throwIfAborted } from '../../../shared/errors.js';
import type { RasterTilesResult } from '../../../workers/raster-tiles.js';
import { type TileToWrite, tileKey } from '../../tile-cache/tile-writer.js';
import type { ItemContext } from '../../kinds/job-kind.js';
import type { CoverageIndex } from '../../tiling/tile-plan.js';
import type { Coverage } from '../../tiling/coverage.js';
import type { OpenedOutput } from '../preseed-kind-parts.js';
import { type Metatile, metatiles, pickMetatileSide } from './metatiles.js';
import { type ZoomWalk, renderFromChildren } from './overview-levels.js';
import { type BlockStyle, type TileJob, renderBlock } from './render-block.js';
import { type ModeRule, type TileAction, decideTile } from './tile-decisions.js';
import type { WarpSource } from './warp-source.js';

/** Tiles per writer transaction (and so at most what a resume after a kill redoes)… */
export const WRITE_BATCH_TILES = 256;
/** …unless the batch has waited this long: progress and checkpoints stay fresh on slow sources. */
const WRITE_BATCH_MS = 1000;

export interface RasterCheckpoint {
  /** The item's tile total has been added to its counters. */
  counted: boolean;
  /**
   * The order of the walk: 'down' from the deepest zoom, lower levels made from their children
   * (see overview-levels.ts); absent: 'up' from the shallowest, every level warped (checkpoints
   * written before the overviews existed resume that way).
   */
  walk?: 'down';
  /** Next block to make: zoom z, block index `next` (blocks before it, and levels before z in the walk's order, are finished). */
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

export interface RasterSession extends OpenedOutput {
  coverage: Coverage | undefined;
  coverageIndex: CoverageIndex | undefined;
}

export interface BlockRun {
  params: RasterPreseedParams;
  ctx: ItemContext<RasterSession, RasterCheckpoint>;
  session: RasterSession;
  source: WarpSource;
  style: BlockStyle;
  rule: ModeRule;
  extent: Bbox;
  walk: ZoomWalk;
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
 * flight so GDAL's warps and the pool's encoders overlap. Before a level made from its children,
 * everything of the level before it is written, so its children are in the output to be read.
 */
export async function runBlocks(run: BlockRun): Promise<void> {
  const { params, ctx, session, source, style, rule, extent, walk, tally } = run;
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

  const start = { z: tally.z, next: tally.next };
  try {
    for (const z of walk.order.slice(Math.max(0, walk.order.indexOf(start.z)))) {
      const fromChildren = walk.fromChildren.has(z);
      if (fromChildren) {
        // The children must be in the output before they are read.
        while (inFlight.length > 0) await settleOldest();
        await flush();
      }
      for (const block of metatiles(extent, z, side, session.coverageIndex, z === start.z ? start.next : 0)) {
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
        // Children already hold every dataset's tiles of this job, so a parent made from them needs
        // nothing composed under it.
        if (!fromChildren) {
          for (const job of jobs) {
            if (actions.get(tileKey(job.x, job.y)) !== 'compose') continue;
            const under = await session.writer.readTile(z, job.x, job.y);
            if (under) job.under = under;
          }
        }
        await ctx.pool.whenReady(ctx.signal);
        let result: Promise<RasterTilesResult | null>;
        if (jobs.length === 0) result = Promise.resolve(null);
        else if (fromChildren) result = renderFromChildren(session.writer, ctx.pool, z, jobs, source.spec.colorBands.length, style, ctx.signal);
        else result = renderBlock(source, ctx.pool, block, jobs, style, ctx.signal);
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
