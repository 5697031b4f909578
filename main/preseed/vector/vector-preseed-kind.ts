/**
 * preseed-vector: OGR sources (any CRS) to Mapbox Vector Tiles in one MBTiles, PMTiles or z/x/y
 * output. One item per source, so a source that cannot be read fails its own item (the job ends
 * partial), never the job.
 *
 * The work, for each source (main/preseed/vector):
 * 1. GDAL (this thread, async) writes the chosen layers as WGS84 GeoJSONSeq; a pool worker splits
 *    them into partition files, one per tile of the partition zoom P (partition-plan.ts) that a
 *    feature touches, plus one for the zooms above P (the low band).
 * 2. One pool task per partition builds geojson-vt indexes from its file (one per layer, every
 *    source's layers together) and walks the partition's subtree, streaming gzipped tiles back in
 *    batches; this thread writes each batch in one writer transaction (tile-stream.ts).
 * 3. A partition finished and written is checkpointed; a resumed item skips it.
 *
 * Sources share tiles (roads and buildings of one city): a tile holds the layers of every source,
 * so a partition is cut once with the files of all sources that reach it, by the first item that
 * gets to it in a run; later items skip it. A source that cannot be read is left out of the tiles
 * it would have reached, and its retry cuts its partitions again with everyone's layers.
 */
import { type ItemLayerResult, boundsOf, layerResult, padDegenerate } from './item-result.js';
import { rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { vectorPreseedName } from '../../../shared/preseed-name.js';
import type { Bbox, VectorPreseedParams } from '../../../shared/contract.js';
import { TesseraError, throwIfAborted } from '../../../shared/errors.js';
import type { Coverage } from '../../tiling/coverage.js';
import { planTiles } from '../../tiling/tile-plan.js';
import { MAX_LATITUDE, WORLD_BBOX, intersectBbox, unionBbox } from '../../../shared/tile-grid.js';
import type { TileToWrite, TileWriter } from '../../tile-cache/tile-writer.js';
import { type ChosenLayer, chooseLayers } from './layer-choice.js';
import { type ExtractedSource, extractSource } from './extract-source.js';
import { estimateVectorPreseed } from './estimate.js';
import { type ModeRule, removeUnwrittenTiles, tilesToWrite } from './output-sink.js';
import { BYTES_PER_VERTEX, type PartitionData, choosePartitionZoom, zoomRanges } from './partition-plan.js';
import { crsIssues } from '../../gdal/crs-issues.js';
import { type SourceInfo, incompleteShapefile, inspectOrError, inspectSource, isConnectionOrVirtual } from './source-info.js';
import { type TileTaskInput, WriteQueue, streamTileTask } from './tile-stream.js';
import { type LayerOutcome, vectorLayers } from './tileset-metadata.js';
import type { TileIssueOut, TileLayerSpec, VectorTilesResult } from '../../../workers/vector-tiles.js';
import type { ZoomRange } from '../../../workers/vector/tile-walk.js';
import { assertFits } from '../../disk/disk-guard.js';
import type { ItemContext, JobKindPlugin } from '../../kinds/job-kind.js';
import { spillRoot } from '../../kinds/spill-root.js';
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

/** A source; plannedAt: tiles written since are this job's own (see output-sink.ts). */
type ItemSpec = PreseedItemSpec;

interface VectorCheckpoint {
  counted: boolean;
  /** Partitions ("x/y", or "low" for the band above P) finished and written by this item. */
  done: string[];
  written: number;
  kept: number;
  bytes: number;
  oversized: number;
  thinned: number;
  failed: number;
  droppedFeatures: number;
  droppedVertices: number;
}

export interface VectorSession {
  writer: TileWriter;
  coverage: Coverage | undefined;
  sources: (SourceInfo | TesseraError)[];
  chosen: ChosenLayer[][];
  /** By layer id. */
  layerSpecs: TileLayerSpec[];
  partitionZoom: number | null;
  ranges: (ZoomRange | null)[] | undefined;
  /** The output did not exist when this run began. */
  fresh: boolean;
  spillDir: string | null;
  extractions: Map<number, Promise<ExtractedSource>>;
  /** Partitions cut in this run with every readable source's layers. */
  cut: Set<string>;
}

/** Items in order: a partition shared by several sources is cut once, by the first to reach it. */
const ITEM_CONCURRENCY = 1;

export const vectorPreseedKind: JobKindPlugin<'preseed-vector', ItemSpec, VectorCheckpoint, VectorSession> = {
  kind: 'preseed-vector',
  itemConcurrency: ITEM_CONCURRENCY,

  describe: (params) => vectorPreseedName(params),

  async validate(params, env) {
    const issues = await checkPreseedPaths({
      inputs: params.sources,
      inputField: 'params.sources',
      coverage: params.coverage,
      output: params.output,
      isVirtual: isConnectionOrVirtual,
      missing: (path) => `no such file or directory: ${path}`,
      // A Shapefile without its .shx or .dbf cannot be read at all: the params are incomplete.
      checkExisting: async (path) => (await incompleteShapefile(path))?.message ?? null,
    });
    issues.push(...(await crsIssues(params, ['assignCrs'])));
    if (issues.length === 0) {
      // Unreadable sources are not the form's error: they fail their own item when the job runs.
      const infos = await Promise.all(params.sources.map((p) => inspectSource(p, undefined, params.assignCrs).catch(() => null)));
      issues.push(...chooseLayers(params, infos).problems);
    }
    throwIssues(issues);
    // As the raster preseed's: when every tile at its size limit fits, no sample needs cutting.
    const signal = AbortSignal.timeout(60_000);
    if ((await estimateVectorPreseed(params, env, signal, { sample: false })).storage.problem === null) return;
    assertFits(await estimateVectorPreseed(params, env, signal));
  },

  // "Retry with CRS…" (retryParams): GDAL must know it; the rest was checked at the start.
  validateRetry: async (params) => throwIssues(await crsIssues(params, ['assignCrs'])),

  estimate: estimateAtWritableOutput(estimateVectorPreseed),

  plan: async (params) => planInputs(params.sources),

  async begin(params, _env, signal) {
    const coverage = await loadJobCoverage(params.coverage, signal);
    // A source that cannot be read (or names no CRS) fails its own item with the reason.
    const sources = await Promise.all(params.sources.map((p) => inspectOrError(p, signal, params.assignCrs)));
    throwIfAborted(signal);
    const { bySource } = chooseLayers(
      params,
      sources.map((s) => (s instanceof TesseraError ? null : s)),
    );
    const layerSpecs: TileLayerSpec[] = [];
    for (const layer of bySource.flat()) layerSpecs[layer.id] = { name: layer.name, minZoom: layer.minZoom, maxZoom: layer.maxZoom };
    const { writer, existed } = await openOutput(params.output, { format: 'pbf' });
    return {
      writer,
      coverage,
      sources,
      chosen: bySource,
      layerSpecs,
      partitionZoom: choosePartitionZoom(await chosenData(sources, bySource, params.bbox), params.maxZoom),
      ranges: params.bbox ? zoomRanges(params.bbox, params.maxZoom) : undefined,
      fresh: !existed,
      spillDir: null,
      extractions: new Map(),
      cut: new Set(),
    } satisfies VectorSession;
  },

  async end(params, session, outcome, env) {
    const s = session;
    try {
      await finishOutput(params, { writer: s.writer, existed: !s.fresh }, outcome, async () => {
        // Only once every source is cut: a failed source's tiles are not made, not gone.
        const plannedAt = outcome.items[0]?.spec.plannedAt;
        if (params.mode === 'overwrite' && !s.fresh && plannedAt !== undefined && outcome.items.every((i) => i.state === 'succeeded')) {
          const scope = {
            bbox: params.bbox ? (intersectBbox(params.bbox, WORLD_BBOX) ?? WORLD_BBOX) : WORLD_BBOX,
            minZoom: params.minZoom,
            maxZoom: params.maxZoom,
            ...(s.coverage ? { coverage: s.coverage } : {}),
          };
          const removed = await removeUnwrittenTiles(s.writer, scope, plannedAt);
          if (removed > 0) env.logger.info(`overwrite of ${params.output}: removed ${removed} tile(s) the sources no longer reach`);
        }
        const outcomes: LayerOutcome[] = [];
        let bounds: Bbox | null = null;
        for (const item of outcome.items) {
          const layers = item.result?.layers as ItemLayerResult[] | undefined;
          for (const l of layers ?? []) {
            if (l.stats.count === 0) continue;
            outcomes.push({ name: l.name, minZoom: l.minZoom, maxZoom: l.maxZoom, fields: l.fields, stats: l.stats });
            if (l.bounds) bounds = bounds ? unionBbox(bounds, l.bounds) : l.bounds;
          }
        }
        if (!bounds) return null; // nothing was tiled: no tileset to describe
        if (params.bbox) bounds = intersectBbox(bounds, params.bbox) ?? bounds;
        bounds = [bounds[0], Math.max(bounds[1], -MAX_LATITUDE), bounds[2], Math.min(bounds[3], MAX_LATITUDE)];
        const { vectorLayers: layers, tilestats } = vectorLayers(outcomes);
        return {
          format: 'pbf',
          bounds,
          type: 'overlay',
          description: `Tiled by Tessera from ${params.sources.map((p) => basename(p)).join(', ')}`,
          vectorLayers: layers,
          tilestats,
        };
      });
    } finally {
      if (s.spillDir) await rm(s.spillDir, { recursive: true, force: true });
    }
  },

  async runItem(params, item, ctx) {
    const spec = item.spec;
    const s = ctx.session;
    const info = s.sources[spec.index];
    if (!info || info instanceof TesseraError) throw info ?? new TesseraError('INTERNAL', `no inspection for ${spec.path}`);
    const chosen = s.chosen[spec.index]!;
    if (chosen.length === 0) {
      throw new TesseraError(
        'BAD_INPUT',
        `params.sources.${spec.index}: ${spec.path} has none of the chosen layers (it has: ${info.layers.map((l) => l.name).join(', ')})`,
      );
    }
    if (s.spillDir === null) {
      s.spillDir = join(spillRoot(ctx), 'preseed-vector', `job-${item.jobId}`); // workers of a task queue read it by this path
      // Left by a run that was killed: nothing in it can be trusted to be whole.
      await rm(s.spillDir, { recursive: true, force: true });
    }
    const own = await extracted(s, params, spec.index, ctx);
    const tally: VectorCheckpoint = item.checkpoint ?? {
      counted: false,
      done: [],
      written: 0,
      kept: 0,
      bytes: 0,
      oversized: 0,
      thinned: 0,
      failed: 0,
      droppedFeatures: 0,
      droppedVertices: 0,
    };
    const ownBounds = boundsOf(own);
    if (ownBounds === null) {
      // No feature with a geometry to tile (all empty or null, or none in the box): said as what
      // happened, not a success that made no tile and wrote no output.
      const read = info.layers.filter((l) => chosen.some((c) => c.sourceLayer === l.name)).reduce((n, l) => n + l.featureCount, 0);
      throw new TesseraError(
        params.bbox ? 'OUTSIDE_EXTENT' : 'DATASET_UNREADABLE',
        `${spec.path}: ${read} feature(s) in the chosen layers, none with a geometry to tile${params.bbox ? ' inside the box asked for' : ''}: no tile was made`,
        { details: { path: spec.path, features: read } },
      );
    }
    let total = item.total;
    if (!tally.counted) {
      const extent = ownBounds && params.bbox ? intersectBbox(ownBounds, params.bbox) : ownBounds;
      const upperBound = extent ? planTiles(padDegenerate(extent), params.minZoom, params.maxZoom, s.coverage).reduce((n, z) => n + z.tiles, 0) : 0;
      ctx.progress({ total: upperBound - total });
      total = upperBound;
      tally.counted = true;
      ctx.checkpoint({ ...tally });
    }

    // Every readable source's files, for the tiles they share with this one.
    const others: ExtractedSource[] = [];
    for (let j = 0; j < s.sources.length; j++) {
      if (j === spec.index) continue;
      const e = await extracted(s, params, j, ctx).catch(() => null);
      if (e) others.push(e);
    }
    const everyone = [own, ...others];
    const done = new Set(tally.done);
    const tasks: { key: string; input: TileTaskInput; weight: number }[] = [];
    const common = {
      layers: s.layerSpecs,
      extent: params.extent,
      buffer: params.buffer,
      tolerance: params.tolerance,
      minZoom: params.minZoom,
      ranges: s.ranges,
      coverage: s.coverage?.polygons ?? null,
      maxTileBytes: params.maxTileBytes,
      thin: params.thin,
      maxSpillBytes: (ctx.pool.heapLimitMb * 1024 ** 2) / 2,
    };
    const P = s.partitionZoom;
    if (!s.cut.has('low') && !done.has('low')) {
      const files = everyone.flatMap((e) => (e.low ? [e.low.file] : []));
      if (files.length > 0)
        tasks.push({ key: 'low', weight: Infinity, input: { ...common, root: { z: 0, x: 0, y: 0 }, stopZoom: P === null ? params.maxZoom : P - 1, files } });
    }
    if (P !== null) {
      for (const [key, p] of own.partitions) {
        if (s.cut.has(key) || done.has(key)) continue;
        const files = everyone.flatMap((e) => {
          const f = e.partitions.get(key);
          return f ? [f.file] : [];
        });
        const weight = everyone.reduce((n, e) => n + (e.partitions.get(key)?.bytes ?? 0), 0);
        tasks.push({ key, weight, input: { ...common, root: { z: P, x: p.x, y: p.y }, stopZoom: params.maxZoom, files } });
      }
    }
    // Largest first, so the last task to finish is a small one and both workers stay busy to the end.
    tasks.sort((a, b) => b.weight - a.weight);

    const rule: ModeRule = {
      mode: params.mode,
      olderThanMs: params.olderThan ? Date.parse(params.olderThan) : null,
      plannedAt: spec.plannedAt,
      fresh: s.fresh,
    };
    const failedTiles: string[] = [];
    const sink = {
      write: async (tiles: TileToWrite[], issues: TileIssueOut[]) => {
        const chosenTiles = await tilesToWrite(s.writer, tiles, rule);
        if (chosenTiles.length > 0) {
          await ctx.waitForSpace(params.output);
          await s.writer.write(chosenTiles);
        }
        let bytes = 0;
        for (const t of chosenTiles) bytes += t.data.byteLength;
        const failed = issues.filter((i) => i.issue === 'failed');
        for (const f of failed) failedTiles.push(`${f.z}/${f.x}/${f.y}`);
        if (issues.length > 0) ctx.recordIssues(issues);
        tally.written += chosenTiles.length;
        tally.kept += tiles.length - chosenTiles.length;
        tally.bytes += bytes;
        ctx.progress({ done: tiles.length + failed.length, failed: failed.length, bytes });
        ctx.count('tilesProcessed', tiles.length);
        ctx.count('tilesWritten', chosenTiles.length);
        ctx.count('bytesWritten', bytes);
      },
    };

    const finish = (key: string, r: VectorTilesResult) => {
      done.add(key);
      s.cut.add(key);
      tally.done = [...done];
      tally.oversized += r.oversized;
      tally.thinned += r.thinned;
      tally.failed += r.failed;
      tally.droppedFeatures += r.droppedFeatures;
      tally.droppedVertices += r.droppedVertices;
      ctx.checkpoint({ ...tally });
    };
    const queue = new WriteQueue(sink, ctx.signal);
    // A task is done when its last batch is written, not when its worker is: twice as many tasks
    // as threads lets a worker start the next partition while this thread still writes the last one's tiles.
    await runLimited(tasks, ctx.pool.threads * 2, async (task) => finish(task.key, await streamTileTask(ctx.pool, task.input, queue, ctx.signal)));

    // The upper bound counted empty tiles that were never cut, and missed tiles of other sources in
    // partitions this item cut for everyone (see s.cut): the total becomes what was made, so done = total.
    const made = tally.written + tally.kept + tally.failed;
    // (The extra tiles of the second case were never in any plan: they are not negative skips.)
    if (made !== total) ctx.progress({ total: made - total, skipped: Math.max(0, total - made) });

    const result = {
      path: spec.path,
      partitionZoom: P,
      partitions: tally.done.length,
      /** Partitions (and the low band) cut by this run of the item: a resumed item skips the finished ones. */
      cutThisRun: tasks.length,
      layers: chosen.map((l) => layerResult(l, own)),
      written: tally.written,
      kept: tally.kept,
      bytes: tally.bytes,
      oversized: tally.oversized,
      thinned: tally.thinned,
      failedTiles: tally.failed,
      droppedFeatures: tally.droppedFeatures,
      droppedVertices: tally.droppedVertices,
      extractSeconds: own.seconds,
    };
    if (tally.failed > 0) {
      throw new TesseraError(
        'TILE_TOO_LARGE',
        `${spec.path}: ${tally.failed} tile(s) stayed over ${params.maxTileBytes.toLocaleString('en')} bytes after thinning and were not written (first: ${failedTiles[0] ?? 'see the tile issues'})`,
        { details: result },
      );
    }
    return result;
  },
};

/** The source's extraction in this run (made once, shared by every item that needs its files). */
function extracted(s: VectorSession, params: VectorPreseedParams, index: number, ctx: ItemContext<VectorSession, VectorCheckpoint>): Promise<ExtractedSource> {
  let e = s.extractions.get(index);
  if (!e) {
    const info = s.sources[index];
    const layers = s.chosen[index] ?? [];
    if (!info || info instanceof TesseraError) e = Promise.reject(info ?? new TesseraError('INTERNAL', `source ${index} was not inspected`));
    else if (layers.length === 0) e = Promise.reject(new TesseraError('BAD_INPUT', `params.sources.${index}: none of the chosen layers is in ${info.path}`));
    else
      e = extractSource(info.path, layers, {
        dir: join(s.spillDir!, `source-${index}`),
        partitionZoom: s.partitionZoom,
        minZoom: params.minZoom,
        maxZoom: params.maxZoom,
        extent: params.extent,
        buffer: params.buffer,
        tolerance: params.tolerance,
        bbox: params.bbox ?? null,
        assignCrs: params.assignCrs,
        pool: ctx.pool,
        signal: ctx.signal,
      });
    e.catch(() => {});
    s.extractions.set(index, e);
    // A cancelled or crashed extraction is not kept: a retry in this run starts it again.
    e.catch(() => {
      if (s.extractions.get(index) === e && ctx.signal.aborted) s.extractions.delete(index);
    });
  }
  return e;
}

/**
 * The chosen layers' vertices, estimated (the file's bytes by the layers' share of its features, at
 * BYTES_PER_VERTEX), and where they lie (their bounds ∩ the job's bbox): what P is chosen from.
 */
async function chosenData(sources: readonly (SourceInfo | TesseraError)[], chosen: readonly ChosenLayer[][], bbox: Bbox | undefined): Promise<PartitionData> {
  let bytes = 0;
  let extent: Bbox | null = null;
  for (let i = 0; i < sources.length; i++) {
    const info = sources[i];
    if (!info || info instanceof TesseraError) continue;
    const all = info.layers.reduce((n, l) => n + l.featureCount, 0);
    const layers = (chosen[i] ?? []).map((c) => info.layers.find((l) => l.name === c.sourceLayer));
    const mine = layers.reduce((n, l) => n + (l?.featureCount ?? 0), 0);
    for (const b of layers.map((l) => l?.bounds)) if (b) extent = extent ? unionBbox(extent, b) : b;
    const size = isConnectionOrVirtual(info.path) ? 64 * 1024 * 1024 : await sizeOf(info.path);
    bytes += all > 0 ? (size * mine) / all : size;
  }
  if (extent && bbox) extent = intersectBbox(extent, bbox) ?? extent;
  return { vertices: bytes / BYTES_PER_VERTEX, extent };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Runs `work` over `items` with at most `limit` at once; the first failure stops new starts and is thrown. */
async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== null) throw failure;
}
