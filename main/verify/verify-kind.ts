/**
 * verify: decodes every tile of a cache in the workers and reports, per zoom level, the tiles that
 * are corrupt, empty or oversized. One item per zoom level; one worker task per batch of tiles.
 * A zoom level with corrupt tiles fails its item (so the job ends partial, naming each bad tile);
 * empty and oversized tiles are findings, kept in the tile-issue list and the item's result.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { TesseraError, throwIfAborted, toTesseraError } from '../../shared/errors.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import type { TileCacheReader, TileRecord } from '../tile-cache/tile-cache.js';
import type { VerifyTilesResult } from '../../workers/verify-tiles.js';
import type { JobKindPlugin } from '../kinds/job-kind.js';

/** Tiles per worker task: large enough to amortise messaging, small enough to cancel promptly. */
const BATCH_TILES = 64;

interface VerifyCheckpoint {
  after: { x: number; y: number } | null;
  checked: number;
  bytes: number;
  corrupt: number;
  empty: number;
  oversized: number;
}

/** One item per zoom level. */
interface VerifySpec {
  z: number;
}

/**
 * Tiles whose x or y lie outside the zoom level's grid (GDAL's MVT writer makes them for features
 * that touch ±180°): no map ever requests them, so they are counted as corrupt, by name.
 */
function withOutOfGrid(result: VerifyTilesResult, outside: readonly TileRecord[]): VerifyTilesResult {
  if (outside.length === 0) return result;
  const max = 2 ** outside[0]!.z - 1;
  return {
    ...result,
    checked: result.checked + outside.length,
    bytes: result.bytes + outside.reduce((n, t) => n + t.data.byteLength, 0),
    corrupt: result.corrupt + outside.length,
    issues: [
      ...result.issues,
      ...outside.map((t) => ({ z: t.z, x: t.x, y: t.y, issue: 'corrupt' as const, detail: `outside the z${t.z} grid (x and y must be 0–${max})` })),
    ],
  };
}

export const verifyKind: JobKindPlugin<'verify', VerifySpec, VerifyCheckpoint> = {
  kind: 'verify',
  itemConcurrency: 2,

  describe: (params) => `verify ${basename(params.cache)}`,

  /** The cache must open and hold tiles in the zoom range: anything else is the caller's mistake (BAD_INPUT), not a failed job. */
  async validate(params) {
    const refuse = (message: string) =>
      new TesseraError('BAD_INPUT', `params.cache: ${message}`, { details: { issues: [{ field: 'params.cache', message }] } });
    try {
      await stat(params.cache);
    } catch {
      throw refuse(`no such file or directory: ${params.cache}`);
    }
    let cache: TileCacheReader;
    try {
      cache = await openTileCache(params.cache);
    } catch (error) {
      const e = toTesseraError(error);
      if (e.code !== 'CACHE_UNREADABLE') throw e;
      throw refuse(`${params.cache} is not a tile cache (MBTiles, PMTiles or a z/x/y tile directory)`);
    }
    try {
      const levels = (await cache.zoomLevels()).filter(
        (l) => (params.minZoom === undefined || l.z >= params.minZoom) && (params.maxZoom === undefined || l.z <= params.maxZoom),
      );
      if (levels.length === 0)
        throw refuse(`${params.cache} holds no tiles${params.minZoom !== undefined || params.maxZoom !== undefined ? ' in the zoom range asked for' : ''}`);
    } catch (error) {
      const e = toTesseraError(error);
      if (e.code === 'CACHE_UNREADABLE') throw refuse(`${params.cache} is not a tile cache (MBTiles, PMTiles or a z/x/y tile directory)`);
      throw e;
    } finally {
      await cache.close();
    }
  },

  async plan(params, signal) {
    const cache = await openTileCache(params.cache);
    try {
      throwIfAborted(signal);
      const levels = (await cache.zoomLevels()).filter(
        (l) => (params.minZoom === undefined || l.z >= params.minZoom) && (params.maxZoom === undefined || l.z <= params.maxZoom),
      );
      if (levels.length === 0)
        throw new TesseraError(
          'NO_ITEMS',
          `${params.cache} holds no tiles${params.minZoom !== undefined || params.maxZoom !== undefined ? ' in the zoom range asked for' : ''}`,
        );
      return levels.map((l) => ({ label: `z${l.z}`, spec: { z: l.z }, total: l.count }));
    } finally {
      await cache.close();
    }
  },

  async runItem(params, item, context) {
    const z = item.spec.z;
    const tally: VerifyCheckpoint = item.checkpoint ?? { after: null, checked: 0, bytes: 0, corrupt: 0, empty: 0, oversized: 0 };
    const cache = await openTileCache(params.cache);
    const inFlight: { last: TileRecord; outside: TileRecord[]; result: Promise<VerifyTilesResult> }[] = [];
    const window = context.pool.threads * 2;

    // Applies the oldest finished batch: results land in order, so the checkpoint only ever
    // covers tiles that have really been checked.
    const settleOldest = async () => {
      const head = inFlight.shift()!;
      const r = withOutOfGrid(await head.result, head.outside);
      tally.after = { x: head.last.x, y: head.last.y };
      tally.checked += r.checked;
      tally.bytes += r.bytes;
      tally.corrupt += r.corrupt;
      tally.empty += r.empty;
      tally.oversized += r.oversized;
      context.recordIssues(r.issues);
      context.progress({ done: r.checked, failed: r.corrupt, bytes: r.bytes });
      context.count('tilesProcessed', r.checked);
      context.checkpoint({ ...tally });
    };

    try {
      let after = tally.after;
      for (;;) {
        throwIfAborted(context.signal);
        const tiles = await cache.readBatch(z, after, BATCH_TILES);
        if (tiles.length === 0) break;
        after = { x: tiles[tiles.length - 1]!.x, y: tiles[tiles.length - 1]!.y };
        await context.pool.whenReady(context.signal);
        const size = 2 ** z;
        const outside = tiles.filter((t) => t.x < 0 || t.y < 0 || t.x >= size || t.y >= size);
        // Each tile gets its own copy of its bytes, so the buffers can be moved, not cloned.
        const copies = tiles.filter((t) => !outside.includes(t)).map((t) => ({ z: t.z, x: t.x, y: t.y, data: t.data.slice() }));
        const result = context.pool.run(
          'verifyTiles',
          { tiles: copies, format: cache.format, maxTileBytes: params.maxTileBytes },
          { signal: context.signal, transferList: copies.map((t) => t.data.buffer as ArrayBuffer) },
        );
        result.catch(() => {}); // awaited in order below; this only keeps an early rejection from going unhandled
        inFlight.push({ last: tiles[tiles.length - 1]!, outside, result });
        if (inFlight.length >= window) await settleOldest();
      }
      while (inFlight.length > 0) await settleOldest();
    } finally {
      await Promise.allSettled(inFlight.map((f) => f.result));
      await cache.close();
    }

    const result = { z, checked: tally.checked, bytes: tally.bytes, corrupt: tally.corrupt, empty: tally.empty, oversized: tally.oversized };
    if (tally.corrupt > 0) {
      throw new TesseraError('TILE_CORRUPT', `${tally.corrupt} of ${tally.checked} tiles at z${z} are corrupt`, { details: result });
    }
    return result;
  },
};
