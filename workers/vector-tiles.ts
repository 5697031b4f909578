/**
 * The vector preseed's worker tasks.
 *
 * `vectorPartition` splits a source's GeoJSONSeq files (written by GDAL on the engine's thread)
 * into partition files. `vectorTiles` cuts one partition (or the low-zoom band): it puts the
 * partition's pieces (already projected and clipped, spill-format.ts) into a geojson-vt index per
 * source layer at the partition's own tile, walks the subtree, encodes and
 * gzips each tile, and streams the tiles back to the engine in batches over a MessagePort, so
 * neither side ever holds a whole partition's tiles. A shared credit counter bounds the batches in
 * flight: when the engine's writes fall behind, the walk waits (and still notices a cancel).
 */
import { statSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { TesseraError } from '../shared/errors.js';
import { AbortFlag } from './abort-flag.js';
import { CoverageTest, type CoveragePolygons } from './vector/coverage-tiles.js';
import { indexFromPieces } from './vector/partition-clip.js';
import { type PartitionInput, type PartitionResult, partitionFeatures } from './vector/partition-features.js';
import { type SpilledFeature, readSpill } from './vector/spill-format.js';
import { TileGzip } from './vector/tile-gzip.js';
import { type WalkLayer, type WalkStats, type ZoomRange, walkTiles } from './vector/tile-walk.js';
import { asGeoJsonVt } from './vector/vt-internals.js';

export type { PartitionResult } from './vector/partition-features.js';

export interface VectorPartitionTask extends PartitionInput {
  abort?: SharedArrayBuffer;
}

export async function vectorPartition(task: VectorPartitionTask): Promise<PartitionResult> {
  return partitionFeatures(task, new AbortFlag(task.abort));
}

export interface TileLayerSpec {
  name: string;
  minZoom: number;
  maxZoom: number;
}

export interface VectorTilesTask {
  root: { z: number; x: number; y: number };
  /** Deepest zoom of this walk. */
  stopZoom: number;
  /** Tiles above (numerically below) this zoom are cut but not written. */
  minZoom: number;
  /** Partition files (spill-format.ts records of any layer), one per source that has features here. */
  files: string[];
  /** By layer id (the number each line starts with). */
  layers: TileLayerSpec[];
  extent: number;
  buffer: number;
  tolerance: number;
  ranges?: (ZoomRange | null)[];
  coverage?: CoveragePolygons | null;
  maxTileBytes: number;
  thin: boolean;
  /** Where batches go; absent for a sample (tiles are only measured). */
  port?: MessagePort;
  /** Int32[1]: batches the engine will still accept; the walk waits at 0. */
  credits?: SharedArrayBuffer;
  /**
   * Spilled bytes this task may load (its files' sizes): coordinates live in typed arrays outside
   * the V8 heap the pool bounds, so the task checks its input itself. Absent: no bound.
   */
  maxSpillBytes?: number;
  /** Stop after this many tiles (the estimate's sample). */
  sampleLimit?: number;
  abort?: SharedArrayBuffer;
}

export interface TileIssueOut {
  z: number;
  x: number;
  y: number;
  issue: 'oversized' | 'failed';
  detail: string;
}

/** One batch as posted: tile i is data[meta[5i+3] .. +meta[5i+4]] at z/x/y meta[5i..5i+2]. */
export interface TileBatchMessage {
  meta: Int32Array;
  data: Uint8Array;
  issues: TileIssueOut[];
}

export interface VectorTilesResult extends WalkStats {
  /** Batches posted; the engine waits for all of them before it counts the partition done. */
  batches: number;
  gzBytes: number;
  gzipCalls: number;
  gzipReused: number;
  features: number;
  /** For a sample: milliseconds spent cutting and encoding (index build included). */
  ms: number;
}

const BATCH_TILES = 1024;
const BATCH_BYTES = 1024 * 1024;
/** How often a walk waiting for credits looks at its abort flag. */
const CREDIT_POLL_MS = 20;

class SampleDone extends Error {}

export async function vectorTiles(task: VectorTilesTask): Promise<VectorTilesResult> {
  const started = performance.now();
  const abort = new AbortFlag(task.abort);
  abort.throwIfAborted();
  if (task.maxSpillBytes !== undefined) {
    const bytes = task.files.reduce((n, f) => n + statSync(f).size, 0);
    if (bytes > task.maxSpillBytes) {
      const mb = (n: number) => (n / 1024 ** 2).toFixed(0);
      const { z, x, y } = task.root;
      throw new TesseraError(
        'WORKER_OUT_OF_MEMORY',
        `tile ${z}/${x}/${y} holds ${mb(bytes)} MB of features, more than the ${mb(task.maxSpillBytes)} MB one task may load (half its worker's memory bound): raise the bound with fewer threads, or tile a smaller bbox`,
        { details: { z, x, y, bytes, maxSpillBytes: task.maxSpillBytes } },
      );
    }
  }
  const byLayer = new Map<number, SpilledFeature[]>();
  let features = 0;
  for (const file of task.files) {
    abort.throwIfAborted();
    readSpill(file, (spilled) => {
      let list = byLayer.get(spilled.layer);
      if (!list) byLayer.set(spilled.layer, (list = []));
      list.push(spilled);
      features++;
    });
  }
  abort.throwIfAborted();
  const layers: WalkLayer[] = task.layers.map((spec, id) => {
    const list = byLayer.get(id);
    byLayer.delete(id);
    const options = { maxZoom: spec.maxZoom, tolerance: task.tolerance, extent: task.extent, buffer: task.buffer };
    return { ...spec, index: list?.length && task.root.z <= spec.maxZoom ? asGeoJsonVt(indexFromPieces(list, task.root, options)) : null };
  });
  abort.throwIfAborted();

  const gzip = new TileGzip();
  const credits = task.credits ? new Int32Array(task.credits) : null;
  let meta: number[] = [];
  let chunks: Uint8Array[] = [];
  let bytes = 0;
  let issues: TileIssueOut[] = [];
  let batches = 0;
  let gzBytes = 0;
  let emitted = 0;
  let emittedBytes = 0;

  const flush = () => {
    if (meta.length === 0 && issues.length === 0) return;
    if (credits) {
      while (Atomics.load(credits, 0) <= 0) {
        abort.throwIfAborted();
        Atomics.wait(credits, 0, 0, CREDIT_POLL_MS);
      }
      Atomics.sub(credits, 0, 1);
    }
    const data = new Uint8Array(bytes);
    let offset = 0;
    for (const c of chunks) {
      data.set(c, offset);
      offset += c.length;
    }
    const message: TileBatchMessage = { meta: Int32Array.from(meta), data, issues };
    task.port?.postMessage(message, [message.meta.buffer as ArrayBuffer, data.buffer as ArrayBuffer]);
    batches++;
    meta = [];
    chunks = [];
    bytes = 0;
    issues = [];
  };

  let stats: WalkStats;
  try {
    stats = walkTiles(task.root, {
      layers,
      extent: task.extent,
      minZoom: task.minZoom,
      stopZoom: task.stopZoom,
      ranges: task.ranges,
      coverage: task.coverage ? new CoverageTest(task.coverage) : null,
      maxTileBytes: task.maxTileBytes,
      thin: task.thin,
      abort,
      emit: (z, x, y, tile) => {
        emitted++;
        emittedBytes += tile.length;
        const gz = gzip.gzip(tile);
        gzBytes += gz.length;
        if (task.port) {
          meta.push(z, x, y, bytes, gz.length);
          chunks.push(gz);
          bytes += gz.length;
          if (meta.length >= BATCH_TILES * 5 || bytes >= BATCH_BYTES) flush();
        }
        if (task.sampleLimit !== undefined && emitted >= task.sampleLimit) throw new SampleDone();
      },
      issue: (z, x, y, issue, detail) => {
        issues.push({ z, x, y, issue, detail });
      },
    });
  } catch (error) {
    if (!(error instanceof SampleDone)) throw error;
    stats = { tiles: emitted, rawBytes: emittedBytes, oversized: 0, thinned: 0, failed: 0, droppedFeatures: 0, droppedVertices: 0 };
  }
  flush();
  return { ...stats, batches, gzBytes, gzipCalls: gzip.compressed, gzipReused: gzip.reused, features, ms: performance.now() - started };
}
