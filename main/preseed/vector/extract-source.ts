/**
 * Gets a source's chosen layers out of GDAL and into partition files.
 *
 * GDAL does the reading, the reprojection to WGS84 (lon/lat order, whatever the source CRS) and
 * the attribute selection in one library ogr2ogr call per layer (gdal.vectorTranslateAsync, on
 * libuv's pool, so this thread stays free) into a GeoJSONSeq file: one feature per line, never a
 * whole dataset in a JS heap. A pool worker then streams those lines into partition files
 * (workers/vector/partition-features.ts).
 *
 * A running GDAL call cannot be interrupted (docs/gdal-threading.md): on cancel the item stops
 * waiting for it at once, and its output is deleted when it finishes by itself.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import gdal from 'gdal-async';
import type { Bbox } from '../../../shared/contract.js';
import { translatableLayer } from '../../gdal/translate-layer.js';
import { AbortError, throwIfAborted } from '../../../shared/errors.js';
import type { TaskPool } from '../../pool/task-pool.js';
import type { PartitionResult } from '../../../workers/vector-tiles.js';
import { LOW_BAND_FILE, partitionFileName } from '../../../workers/vector/partition-features.js';
import type { ChosenLayer } from './layer-choice.js';
import { spatialFilterArgs } from './source-filter.js';
import { assignedSrs, openSource, sourceCrs, unreadable } from './source-info.js';

/** A low band source larger than this (GeoJSON text) gets a simplified copy for the zooms above P. */
export const LOW_BAND_EXACT_BYTES = 64 * 1024 * 1024;

export interface ExtractOptions {
  dir: string;
  partitionZoom: number | null;
  minZoom: number;
  maxZoom: number;
  extent: number;
  buffer: number;
  tolerance: number;
  bbox: Bbox | null;
  /** The job's CRS for layers that name none (source-info.ts sourceCrs). */
  assignCrs?: string | undefined;
  pool: TaskPool;
  signal: AbortSignal;
}

export interface ExtractedSource {
  dir: string;
  /** Partition files by "x/y" at the partition zoom. */
  partitions: Map<string, { x: number; y: number; file: string; features: number; bytes: number }>;
  low: { file: string; features: number; bytes: number } | null;
  layers: PartitionResult['layers'];
  seconds: number;
}

/** Digits after the decimal point that keep a tenth of a tile unit at maxZoom (GeoJSON's 7 is 1 cm). */
export function coordinatePrecision(maxZoom: number, extent: number): number {
  return Math.max(7, Math.min(15, Math.ceil(Math.log10((2 ** maxZoom * extent) / 360)) + 1));
}

/** The job bbox grown by the widest tile buffer written, so edge tiles still get their buffer. */
export function paddedBbox(bbox: Bbox, minZoom: number, buffer: number, extent: number): Bbox {
  const pad = (buffer / extent) * (360 / 2 ** minZoom);
  return [Math.max(-180, bbox[0] - pad), Math.max(-90, bbox[1] - pad), Math.min(180, bbox[2] + pad), Math.min(90, bbox[3] + pad)];
}

/** Races a promise against the signal; the promise's own result is then dropped (after `cleanup`). */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal, cleanup: () => void): Promise<T> {
  if (signal.aborted) {
    work.then(cleanup, cleanup);
    throw new AbortError();
  }
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      work.then(cleanup, cleanup);
      reject(new AbortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export async function extractSource(path: string, layers: readonly ChosenLayer[], options: ExtractOptions): Promise<ExtractedSource> {
  const started = performance.now();
  await rm(options.dir, { recursive: true, force: true });
  await mkdir(options.dir, { recursive: true });
  const files: { path: string; layer: number; attributes: string[] | null; maxZoom: number }[] = [];
  const ds = await openSource(path);
  let inFlight: Promise<unknown> | null = null;
  try {
    for (const layer of layers) {
      throwIfAborted(options.signal);
      const seq = join(options.dir, `layer-${layer.id}.geojsonl`);
      const source = await ds.layers.getAsync(layer.sourceLayer).catch((error: Error) => {
        throw unreadable(path, `GDAL cannot read layer "${layer.sourceLayer}": ${error.message}`);
      });
      const args = [
        '-f',
        'GeoJSONSeq',
        '-t_srs',
        'EPSG:4326',
        '-dim',
        'XY',
        '-preserve_fid',
        '-lco',
        `COORDINATE_PRECISION=${coordinatePrecision(options.maxZoom, options.extent)}`,
      ];
      // A layer without a CRS is read in the one the job gives, else lon/lat (GeoJSON's rule, a CSV
      // of lon/lat: the inspection refused the rest); ogr2ogr refuses to reproject it otherwise.
      const assigned = source.srs ? null : sourceCrs(ds.driver.description, source, options.assignCrs);
      if (!source.srs) args.push('-s_srs', assigned ?? 'EPSG:4326');
      const wanted = layer.attributes?.filter((a) => layer.fields[a] !== undefined);
      if (wanted && wanted.length > 0) args.push('-select', wanted.join(','));
      if (options.bbox) {
        const b = paddedBbox(options.bbox, options.minZoom, options.buffer, options.extent);
        args.push(...spatialFilterArgs(source, source.srs ?? (assigned ? await assignedSrs(assigned) : null), b));
      }
      // Never a positional "-name" GDAL would take for an option (main/gdal/translate-layer.ts).
      const from = await translatableLayer(ds, layer.sourceLayer);
      const work = gdal.vectorTranslateAsync(seq, from.dataset, [...args, ...from.args]).then(
        (out) => {
          out.close();
          from.close();
        },
        (error: unknown) => {
          from.close();
          throw error;
        },
      );
      inFlight = work;
      try {
        await unlessAborted(work, options.signal, () => void rm(seq, { force: true }).catch(() => {}));
      } catch (error) {
        if (error instanceof AbortError) throw error;
        throw unreadable(path, `GDAL cannot read layer "${layer.sourceLayer}": ${(error as Error).message}`);
      }
      inFlight = null;
      files.push({ path: seq, layer: layer.id, attributes: layer.attributes, maxZoom: layer.maxZoom });
    }
  } finally {
    // After a cancel the running translation still uses the dataset: close it when that is over.
    if (inFlight)
      inFlight.then(
        () => ds.close(),
        () => ds.close(),
      );
    else ds.close();
  }

  let bytes = 0;
  for (const f of files) bytes += (await stat(f.path)).size;
  const lowBandTolerance =
    options.partitionZoom !== null && bytes > LOW_BAND_EXACT_BYTES ? options.tolerance / 4 / (2 ** (options.partitionZoom - 1) * options.extent) : null;
  const result = await options.pool.run(
    'vectorPartition',
    {
      files,
      outDir: options.dir,
      partitionZoom: options.partitionZoom,
      extent: options.extent,
      buffer: options.buffer,
      tolerance: options.tolerance,
      bbox: options.bbox,
      minZoom: options.minZoom,
      lowBandTolerance,
    },
    { signal: options.signal },
  );
  for (const f of files) await rm(f.path, { force: true });
  const partitions = new Map<string, { x: number; y: number; file: string; features: number; bytes: number }>();
  if (options.partitionZoom !== null) {
    for (const p of result.partitions) partitions.set(`${p.x}/${p.y}`, { ...p, file: join(options.dir, partitionFileName(options.partitionZoom, p.x, p.y)) });
  }
  return {
    dir: options.dir,
    partitions,
    low: result.low.features > 0 ? { file: join(options.dir, LOW_BAND_FILE), features: result.low.features, bytes: result.low.bytes } : null,
    layers: result.layers,
    seconds: (performance.now() - started) / 1000,
  };
}
