/**
 * truncate: deletes a tile cache's tiles in a zoom range (and, with a bbox, only those the box
 * touches), in place, through the same writers the preseeds use, so every container keeps its own
 * guarantees:
 * - MBTiles (flat `tiles` table, or Tessera's de-duplicated map/images view): deletes in committed
 *   batches; images no position uses any more go when the job ends (`finish`);
 * - a z/x/y folder: file by file, emptied column and zoom folders removed;
 * - PMTiles: deletes from the archive's working MBTiles, and the end rewrites the archive without
 *   them and renames it into place; until then (and after a cancel) readers see the old archive.
 *
 * One item per zoom level; each reads its tiles in batches of BATCH_TILES, in (x, y) order, checks
 * the AbortSignal between batches and checkpoints after each, so a cancel stops within a batch and
 * a retry resumes after the last deleted batch.
 */
import { rmdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Bbox, JobEstimate, TruncateParams } from '../../shared/contract.js';
import { TesseraError, throwIfAborted, toTesseraError } from '../../shared/errors.js';
import { type TileRange, tileRange } from '../../shared/tile-grid.js';
import { checkFits } from '../disk/disk-guard.js';
import { fileBytes } from '../disk/storage.js';
import type { JobKindPlugin, KindEnvironment } from '../kinds/job-kind.js';
import { summariseCache } from '../tile-cache/cache-summary.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import { openTileWriter } from '../tile-cache/open-tile-writer.js';
import { workingFileOf } from '../tile-cache/pmtiles-writer.js';
import type { TileCacheReader, TileRecord } from '../tile-cache/tile-cache.js';
import type { TileWriter, TilesetMetadata, VectorLayerMetadata, WrittenTileFormat } from '../tile-cache/tile-writer.js';

/** Tiles read, then deleted in one transaction, per batch: small enough that a cancel is prompt. */
export const BATCH_TILES = 500;

interface TruncateSpec {
  z: number;
}

interface TruncateCheckpoint {
  /** The last tile looked at (deleted or kept): the next batch starts after it. */
  after: { x: number; y: number } | null;
  deleted: number;
  bytes: number;
}

interface TruncateSession {
  writer: TileWriter;
  /** What the items read the tiles from: the cache, or for PMTiles the archive's working MBTiles. */
  readPath: string;
  /** The metadata the end writes again, with the zooms left. */
  metadata: TilesetMetadata;
}

const bad = (field: string, message: string) => new TesseraError('BAD_INPUT', `${field}: ${message}`, { details: { issues: [{ field, message }] } });

/** Opens the cache, or BAD_INPUT naming params.cache when it is missing or not a tile cache. */
async function openCache(path: string): Promise<TileCacheReader> {
  try {
    await stat(path);
  } catch {
    throw bad('params.cache', `no such file or directory: ${path}`);
  }
  try {
    return await openTileCache(path);
  } catch (error) {
    const e = toTesseraError(error);
    if (e.code !== 'CACHE_UNREADABLE') throw e;
    throw bad('params.cache', `${path} is not a tile cache (MBTiles, PMTiles or a z/x/y tile directory)`);
  }
}

/** The tiles of zoom z the params take: the whole level, or the range the bbox touches. */
function rangeOf(params: TruncateParams, z: number): TileRange | null {
  return params.bbox ? tileRange(params.bbox as Bbox, z) : null;
}

function inRange(t: { x: number; y: number }, range: TileRange | null): boolean {
  return range === null || (t.x >= range.minX && t.x <= range.maxX && t.y >= range.minY && t.y <= range.maxY);
}

/** Tiles to delete per zoom level of the range (levels without tiles left out), reading the cache. */
export async function countTargets(
  reader: TileCacheReader,
  params: TruncateParams,
  signal: AbortSignal,
): Promise<{ z: number; tiles: number; held: number }[]> {
  const out: { z: number; tiles: number; held: number }[] = [];
  for (const level of await reader.zoomLevels()) {
    if (level.z < params.minZoom || level.z > params.maxZoom || level.count === 0) continue;
    const range = rangeOf(params, level.z);
    if (range === null) {
      out.push({ z: level.z, tiles: level.count, held: level.count });
      continue;
    }
    let tiles = 0;
    for (let after: { x: number; y: number } | null = null; ; ) {
      throwIfAborted(signal);
      const batch = await reader.readBatch(level.z, after, BATCH_TILES);
      for (const t of batch) if (inRange(t, range)) tiles++;
      if (batch.length < BATCH_TILES) break;
      after = { x: batch[batch.length - 1]!.x, y: batch[batch.length - 1]!.y };
    }
    out.push({ z: level.z, tiles, held: level.count });
  }
  return out;
}

/** The tileset's metadata as the cache declares it, to be written again with the zooms left. */
async function metadataOf(reader: TileCacheReader, path: string): Promise<{ metadata: TilesetMetadata; format: WrittenTileFormat }> {
  const summary = await summariseCache(reader, '', basename(path));
  if (summary.format === 'unknown') throw bad('params.cache', `${path}: its tile format cannot be told (not PNG, JPEG, WebP or vector tiles)`);
  const meta = reader.metadata;
  const json = parseObject(meta.json);
  const tilestats = json?.tilestats ?? parseObject(meta.tilestats);
  const vectorLayers: VectorLayerMetadata[] = summary.vectorLayers.map((l) => ({ id: l.id, minzoom: l.minZoom, maxzoom: l.maxZoom, fields: l.fields }));
  const metadata: TilesetMetadata = {
    name: summary.name,
    format: summary.format,
    bounds: summary.bounds ?? [-180, -85.0511287798066, 180, 85.0511287798066],
    minzoom: summary.minZoom,
    maxzoom: summary.maxZoom,
    ...(meta.description !== undefined && { description: meta.description }),
    ...(meta.attribution !== undefined && { attribution: meta.attribution }),
    ...(meta.version !== undefined && { version: meta.version }),
    ...(meta.type === 'overlay' || meta.type === 'baselayer' ? { type: meta.type } : {}),
    ...(summary.format === 'pbf' && { vectorLayers }),
    ...(typeof tilestats === 'object' && tilestats !== null && !Array.isArray(tilestats) && { tilestats: tilestats as Record<string, unknown> }),
  };
  return { metadata, format: summary.format };
}

function parseObject(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function estimateTruncate(params: TruncateParams, env: KindEnvironment, signal: AbortSignal): Promise<JobEstimate> {
  const reader = await openCache(params.cache);
  let zooms: { z: number; tiles: number }[];
  try {
    zooms = (await countTargets(reader, params, signal)).map(({ z, tiles }) => ({ z, tiles }));
  } finally {
    await reader.close();
  }
  const totalTiles = zooms.reduce((n, z) => n + z.tiles, 0);
  // Deleting frees space, except a PMTiles rewrite: its working file and the new archive sit
  // beside the old one until the rename (checkFits doubles a PMTiles output's bytes for that).
  const rewrite = reader.kind === 'pmtiles' ? await fileBytes(params.cache) : 0;
  const storage = await checkFits({ output: params.cache, bytes: rewrite, settings: env.settings(), dataDir: env.dataDir });
  return {
    kind: 'truncate',
    datasets: [{ path: params.cache, bounds: params.bbox ?? null, tiles: totalTiles, error: null }],
    zooms,
    totalTiles,
    tilesUpperBound: false,
    sample: null,
    estimatedBytes: null,
    estimatedSeconds: null,
    range: null,
    storage,
  };
}

export const truncateKind: JobKindPlugin<'truncate', TruncateSpec, TruncateCheckpoint, TruncateSession> = {
  kind: 'truncate',
  // One writer per cache: SQLite takes one writer at a time anyway, and a directory's deletes are parallel inside a batch.
  itemConcurrency: 1,

  describe: (params) => `truncate ${basename(params.cache)} z${params.minZoom}–${params.maxZoom}${params.bbox ? ' in a bbox' : ''}`,

  /**
   * The cache must open and hold tiles to delete. Deleting every tile is refused: a cache with no
   * tiles is not a cache any more (readers refuse an empty PMTiles); delete the cache instead.
   */
  async validate(params, _env) {
    const reader = await openCache(params.cache);
    try {
      const targets = await countTargets(reader, params, AbortSignal.timeout(60_000));
      const total = targets.reduce((n, t) => n + t.tiles, 0);
      if (total === 0)
        throw bad('params.minZoom', `${params.cache} holds no tiles at z${params.minZoom}–${params.maxZoom}${params.bbox ? ' in the bbox' : ''}`);
      const held = (await reader.zoomLevels()).reduce((n, l) => n + l.count, 0);
      if (total >= held) throw bad('params.minZoom', `this would delete every tile of ${params.cache}: delete the cache instead`);
    } finally {
      await reader.close();
    }
  },

  estimate: estimateTruncate,

  async plan(params, signal) {
    const reader = await openTileCache(params.cache);
    try {
      const targets = (await countTargets(reader, params, signal)).filter((t) => t.tiles > 0);
      if (targets.length === 0) throw new TesseraError('NO_ITEMS', `${params.cache} holds no tiles at z${params.minZoom}–${params.maxZoom}`);
      return targets.map((t) => ({ label: `z${t.z}`, spec: { z: t.z }, total: t.tiles }));
    } finally {
      await reader.close();
    }
  },

  async begin(params) {
    const reader = await openTileCache(params.cache);
    let described: { metadata: TilesetMetadata; format: WrittenTileFormat };
    try {
      described = await metadataOf(reader, params.cache);
    } finally {
      await reader.close();
    }
    const writer = await openTileWriter(params.cache, { format: described.format });
    // A PMTiles writer imports the archive into its working MBTiles (or reuses one a cancelled
    // truncate left): the items read there, so a resumed job sees what it already deleted.
    const readPath = writer.kind === 'pmtiles' ? workingFileOf(params.cache) : params.cache;
    return { writer, readPath, metadata: described.metadata };
  },

  async end(_params, session, outcome, env) {
    try {
      // A cancelled PMTiles truncate leaves the archive as it was: its working file keeps the
      // deletes for a retry. The other containers hold only whole batches either way, and their
      // metadata is brought to the zooms they hold now.
      if (outcome.cancelled && session.writer.kind === 'pmtiles') return;
      const reader = await openTileCache(session.readPath);
      let levels: { z: number; count: number }[];
      try {
        levels = (await reader.zoomLevels()).filter((l) => l.count > 0);
      } finally {
        await reader.close();
      }
      if (levels.length === 0) return;
      // The writers widen the zooms to what the output holds, so the lowest and highest left are given.
      await session.writer.finish({ ...session.metadata, minzoom: levels[0]!.z, maxzoom: levels[levels.length - 1]!.z });
      // The space the deleted tiles took goes back to the disk (a truncate that freed nothing is not
      // what it is for). Without room for VACUUM's copy the tiles are still gone and the file whole:
      // the job succeeded, and the log says the space stays inside the file until there is room.
      if (!outcome.cancelled) {
        await session.writer.compact?.().catch((error: unknown) => {
          env.logger.warn('truncate: the deleted tiles were not compacted out of the file', { cache: session.writer.path, error: String(error) });
        });
      }
    } finally {
      await session.writer.close();
    }
  },

  async runItem(params, item, context) {
    const z = item.spec.z;
    const range = rangeOf(params, z);
    const tally: TruncateCheckpoint = item.checkpoint ?? { after: null, deleted: 0, bytes: 0 };
    const reader = await openTileCache(context.session.readPath);
    const columns = new Set<number>();
    try {
      for (;;) {
        throwIfAborted(context.signal);
        const batch: TileRecord[] = await reader.readBatch(z, tally.after, BATCH_TILES);
        if (batch.length === 0) break;
        const doomed = batch.filter((t) => inRange(t, range));
        if (doomed.length > 0) await context.session.writer.remove(doomed);
        const bytes = doomed.reduce((n, t) => n + t.data.byteLength, 0);
        for (const t of doomed) columns.add(t.x);
        tally.after = { x: batch[batch.length - 1]!.x, y: batch[batch.length - 1]!.y };
        tally.deleted += doomed.length;
        tally.bytes += bytes;
        context.progress({ done: doomed.length, bytes });
        context.count('tilesProcessed', doomed.length);
        context.checkpoint({ ...tally });
        if (batch.length < BATCH_TILES) break;
      }
    } finally {
      await reader.close();
    }
    if (context.session.writer.kind === 'directory') await removeEmptyFolders(params.cache, z, columns);
    return { z, deleted: tally.deleted, bytes: tally.bytes, ...(params.bbox && { bbox: params.bbox }) };
  },
};

/** Column folders (and the zoom folder) emptied by the deletes: rmdir refuses any that still hold a file. */
async function removeEmptyFolders(root: string, z: number, columns: ReadonlySet<number>): Promise<void> {
  for (const x of columns) await rmdir(join(root, String(z), String(x))).catch(() => {});
  await rmdir(join(root, String(z))).catch(() => {});
}
