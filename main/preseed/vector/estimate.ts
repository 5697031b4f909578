/**
 * The vector preseed's dry run (jobs.estimate): each source's extent and feature counts, tiles per
 * zoom over the real extent (the sources ∩ bbox ∩ coverage), a sample of real tiles for the tiles
 * likely made, bytes and time (each low–high), and whether it all fits.
 *
 * Tile counts are an upper bound: every tile of the extent is counted, but a vector preseed skips
 * empty tiles (ocean between islands, the space between a sparse set of points), which can be most
 * of them. So the sample is not one dense tile but whole subtrees spread over the extent (see
 * sampleRoots): the share of empty tiles, the bytes and the time per zoom come out in the job's
 * own proportions.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bbox, JobEstimate, VectorPreseedParams } from '../../../shared/contract.js';
import { TesseraError, serializeError, throwIfAborted } from '../../../shared/errors.js';
import { checkFits } from '../../disk/disk-guard.js';
import type { KindEnvironment } from '../../kinds/job-kind.js';
import { type Coverage, loadCoverage } from '../../tiling/coverage.js';
import { planTiles, tileTouchesCoverage } from '../../tiling/tile-plan.js';
import { intersectBbox, tileBoundsLonLat, unionBbox } from '../../../shared/tile-grid.js';
import { UNSEEN_SPREAD, spreadCells, totalRange } from '../estimate-sample.js';
import { extractSource } from './extract-source.js';
import { zoomRanges } from './partition-plan.js';
import { chooseLayers } from './layer-choice.js';
import { type SourceInfo, inspectSource } from './source-info.js';

/** Tiles whose whole subtrees are cut for the sample, spread over the extent. */
const SAMPLE_ROOTS = 8;
/** Zoom levels below a sampled root (4⁰ + … + 4⁴ = 341 tiles at most each), so the sample stays small. */
const ROOT_DEPTH = 4;
/**
 * Drivers that read only what a spatial filter asks for. Others (GeoJSON, TopoJSON, KML…) parse the
 * whole file for any sample, as long as the job's own extraction (13 s of CPU for a 38 MB GeoJSON):
 * above SAMPLE_PARSE_MAX_BYTES they get no sample, and the estimate no bytes or seconds.
 */
const INDEXED_DRIVERS = new Set(['GPKG', 'SQLite', 'FlatGeobuf', 'ESRI Shapefile', 'PostgreSQL', 'OpenFileGDB']);
const SAMPLE_PARSE_MAX_BYTES = 16 * 1024 * 1024;

export interface VectorEstimateOptions {
  /**
   * Cut a sample (default). Without it, bytes are every tile at maxTileBytes (the job reports a
   * tile above it as an issue: the rare exception) and time is unknown.
   */
  sample?: boolean;
}

export async function estimateVectorPreseed(
  params: VectorPreseedParams,
  env: KindEnvironment,
  signal: AbortSignal,
  options: VectorEstimateOptions = {},
): Promise<JobEstimate> {
  const coverage: Coverage | undefined = params.coverage ? await loadCoverage(params.coverage) : undefined;
  const infos: (SourceInfo | null)[] = [];
  const errors: unknown[] = [];
  for (const path of params.sources) {
    throwIfAborted(signal);
    try {
      infos.push(await inspectSource(path, signal, params.assignCrs));
      errors.push(null);
    } catch (error) {
      infos.push(null);
      errors.push(error);
    }
  }
  const { bySource } = chooseLayers(params, infos);
  let union: Bbox | null = null;
  let firstReadable = -1;
  const extents: (Bbox | null)[] = infos.map((info, i) => {
    if (!info) return null;
    let b: Bbox | null = null;
    for (const layer of bySource[i]!) {
      const lb = info.layers.find((l) => l.name === layer.sourceLayer)?.bounds;
      if (lb) b = b ? unionBbox(b, lb) : lb;
    }
    if (b && params.bbox) b = intersectBbox(padded(b), params.bbox);
    if (b && firstReadable < 0) firstReadable = i;
    return b;
  });
  const ordered: JobEstimate['datasets'] = params.sources.map((path, i) => {
    if (!infos[i]) return { path, bounds: null, tiles: 0, error: serializeError(errors[i]) };
    const extent = extents[i] ?? null;
    const tiles = extent ? planTiles(padded(extent), params.minZoom, params.maxZoom, coverage).reduce((n, z) => n + z.tiles, 0) : 0;
    if (extent) union = union ? unionBbox(union, extent) : extent;
    if (bySource[i]!.length === 0) {
      // Not an extent matter: the layers asked for are not in it (a --layer name that no source has).
      const has = infos[i]!.layers.map((l) => l.name).join(', ');
      return { path, bounds: null, tiles: 0, error: serializeError(new TesseraError('BAD_INPUT', `${path} has none of the chosen layers (it has: ${has})`)) };
    }
    const features = bySource[i]!.reduce((n, l) => n + (infos[i]!.layers.find((x) => x.name === l.sourceLayer)?.featureCount ?? 0), 0);
    return {
      path,
      bounds: extent,
      tiles,
      error: extent ? null : serializeError(new TesseraError('OUTSIDE_EXTENT', `${path}: ${features} feature(s), none inside the extent asked for`)),
    };
  });
  const zooms = union ? planTiles(padded(union), params.minZoom, params.maxZoom, coverage).map((z) => ({ z: z.z, tiles: z.tiles })) : [];
  const totalTiles = zooms.reduce((n, z) => n + z.tiles, 0);

  let sampled: VectorSample | null = null;
  const readable = infos.flatMap((info, i) => (info && extents[i] ? [{ info, layers: bySource[i]! }] : []));
  // A big unindexed source would be parsed whole for the sample, as long as the job itself takes.
  const affordable = (await Promise.all(readable.map((r) => sampleAffordable(r.info)))).every(Boolean);
  if (union && readable.length > 0 && totalTiles > 0 && options.sample !== false && affordable) {
    sampled = await sampleRoots(params, env, padded(union), readable, coverage, signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
      env.logger.warn(`vector estimate: no sample (${(error as Error).message})`);
      return null;
    });
  }
  const shaped = sampled ? scaleSample(sampled, zooms) : null;
  const estimatedBytes = shaped ? Math.round(shaped.bytes) : options.sample === false ? totalTiles * params.maxTileBytes : null;
  const storage = await checkFits({ output: params.output, bytes: estimatedBytes, settings: env.settings(), dataDir: env.dataDir });
  return {
    kind: 'preseed-vector',
    datasets: ordered,
    zooms,
    totalTiles,
    // Empty tiles (open sea, the space between sparse points) are counted here and skipped by the job.
    tilesUpperBound: true,
    sample: shaped?.sample ?? null,
    estimatedBytes,
    estimatedSeconds: shaped ? shaped.seconds : null,
    range: shaped?.range ?? null,
    storage,
  };
}

async function sampleAffordable(info: SourceInfo): Promise<boolean> {
  if (INDEXED_DRIVERS.has(info.driver)) return true;
  const size = await stat(info.path).then(
    (s) => s.size,
    () => 0,
  );
  return size <= SAMPLE_PARSE_MAX_BYTES;
}

function padded(b: Bbox): Bbox {
  const e = 1e-9;
  return [b[0] === b[2] ? b[0] - e : b[0], b[1] === b[3] ? b[1] - e : b[1], b[0] === b[2] ? b[2] + e : b[2], b[1] === b[3] ? b[3] + e : b[3]];
}

interface VectorSample {
  rootZoom: number;
  /** Tiles of the plan at rootZoom: the subtrees the sample's roots stand for. */
  roots: number;
  /** Per sampled root: tiles made in its subtree, their gzip bytes, its share of the sample's wall time. */
  parts: { tiles: number; bytes: number; seconds: number; features: number; extractSeconds: number; cutSeconds: number }[];
  /** Features of the chosen layers in the sources (the job extracts each once, the sample once per root it meets). */
  sourceFeatures: number;
  /** The pool's threads: the job cuts that many subtrees at once. */
  threads: number;
  /** Wall time of the whole sample (its roots cut as many at once as the pool has threads), less their fixed costs. */
  seconds: number;
  /** Seconds an extraction costs whatever its area: once in the job. */
  fixed: number;
}

/**
 * Scales the sample to the plan: the roots' subtrees stand for every subtree at their zoom, and
 * the few tiles above it are counted as made (they hold the whole extent, so they are rarely empty).
 */
function scaleSample(s: VectorSample, zooms: { z: number; tiles: number }[]) {
  const above = zooms.filter((z) => z.z < s.rootZoom).reduce((n, z) => n + z.tiles, 0);
  const sum = (key: 'tiles' | 'bytes' | 'features' | 'extractSeconds' | 'cutSeconds') => s.parts.reduce((n, p) => n + p[key], 0);
  const made = sum('tiles');
  const perRoot = (key: 'tiles' | 'bytes' | 'features' | 'cutSeconds') => (sum(key) / s.parts.length) * s.roots;
  const bytesPerTile = made > 0 ? sum('bytes') / made : 0;
  const secondsPerTile = made > 0 ? s.seconds / made : 0;
  const tiles = perRoot('tiles') + above;
  const bytes = perRoot('bytes') + above * bytesPerTile;
  // The job extracts every feature once, then cuts its subtrees on every thread; the sample
  // extracts per root (a feature that spans many roots is read in each), so scaling its wall time
  // by roots counts the extraction many times over (4× on states z0–9). Each phase is scaled on
  // its own: extraction by features, cutting by roots.
  // The sample's extractions ran in `lanes` at once, their wall times overlapping: the work of one
  // lane (as the job's single extraction) is their sum over the lanes.
  const extracted = sum('features');
  const lanes = Math.max(1, Math.min(s.threads, s.parts.length));
  const extraction = extracted > 0 ? (sum('extractSeconds') / lanes / extracted) * Math.min(s.sourceFeatures, perRoot('features')) : 0;
  const cutPerTile = made > 0 ? sum('cutSeconds') / made : secondsPerTile;
  const cutting = (perRoot('cutSeconds') + above * cutPerTile) / Math.max(1, s.threads);
  const seconds = s.parts.length > 0 ? extraction + cutting + s.fixed : (s.seconds / Math.max(1, s.parts.length)) * s.roots + s.fixed;
  // The tiles made vary most between roots (sea or land); bytes and time follow them, at the
  // sample's rate per tile (steady over its 1,000s of tiles), so their range is the tiles' range
  // scaled, widened for what the sample cannot see.
  const tileRange = totalRange(
    s.parts.map((p) => p.tiles),
    s.roots,
    false,
  ).map((v) => Math.round(v + above)) as [number, number];
  const scaled = (v: number): [number, number] =>
    tiles > 0 ? [(v * tileRange[0]) / tiles / UNSEEN_SPREAD, ((v * tileRange[1]) / tiles) * UNSEEN_SPREAD] : [v / UNSEEN_SPREAD, v * UNSEEN_SPREAD];
  const range = { tiles: tileRange, bytes: scaled(bytes).map(Math.round) as [number, number], seconds: scaled(seconds) };
  const sampledZooms = zooms.filter((z) => z.z >= s.rootZoom).map((z) => z.z);
  // Per tile of the plan, empty ones included, as the raster estimate's: the console's size per
  // zoom (its tiles × this) then adds up to the estimate.
  const planned = zooms.reduce((n, z) => n + z.tiles, 0);
  const perPlanned = (v: number) => (planned > 0 ? v / planned : 0);
  return { tiles, bytes, seconds, range, sample: { tiles: made, zooms: sampledZooms, bytesPerTile: perPlanned(bytes), secondsPerTile: perPlanned(seconds) } };
}

/**
 * Cuts the whole subtree (rootZoom down to maxZoom) of SAMPLE_ROOTS tiles spread over the extent,
 * through the job's own steps: extract each source's features inside the root, cut its tiles in
 * the pool. The subtree holds every sampled zoom in proportion to its tile count, and roots spread
 * over the extent meet its empty and its dense parts as the job will. Run as many at once as the
 * pool has threads (the GDAL extraction of one overlapping the cutting of another, as in a job).
 */
async function sampleRoots(
  params: VectorPreseedParams,
  env: KindEnvironment,
  extent: Bbox,
  sources: { info: SourceInfo; layers: ReturnType<typeof chooseLayers>['bySource'][number] }[],
  coverage: Coverage | undefined,
  signal: AbortSignal,
): Promise<VectorSample> {
  const rootZoom = Math.max(params.minZoom, params.maxZoom - ROOT_DEPTH);
  const { range, tiles: count } = planTiles(extent, rootZoom, rootZoom, coverage)[0]!;
  const across = range.maxX - range.minX + 1;
  const down = range.maxY - range.minY + 1;
  const picks = spreadCells(across, down, SAMPLE_ROOTS * 4)
    .map((c) => ({ z: rootZoom, x: range.minX + c.col, y: range.minY + c.row }))
    .filter((t) => tileTouchesCoverage(t.z, t.x, t.y, coverage))
    .slice(0, SAMPLE_ROOTS);
  const specs: { name: string; minZoom: number; maxZoom: number }[] = [];
  for (const { layers } of sources) for (const l of layers) specs[l.id] = { name: l.name, minZoom: l.minZoom, maxZoom: l.maxZoom };
  for (let i = 0; i < specs.length; i++) specs[i] ??= { name: `unused-${i}`, minZoom: 0, maxZoom: 0 };
  const jobRanges = params.bbox ? zoomRanges(params.bbox, params.maxZoom) : undefined;
  const dir = await mkdtemp(join(env.dataDir, 'estimate-'));
  const parts: VectorSample['parts'] = [];
  try {
    let extracting = 0;
    let cutting = 0;
    const extract = async (bbox: Bbox, minZoom: number, name: string) => {
      const files: string[] = [];
      let features = 0;
      for (const [i, { info, layers }] of sources.entries()) {
        const source = await extractSource(info.path, layers, {
          dir: join(dir, `${name}-${i}`),
          partitionZoom: null,
          minZoom,
          maxZoom: params.maxZoom,
          extent: params.extent,
          buffer: params.buffer,
          tolerance: params.tolerance,
          bbox,
          assignCrs: params.assignCrs,
          pool: env.pool,
          signal,
        });
        if (source.low) {
          files.push(source.low.file);
          features += source.low.features;
        }
      }
      return { files, features };
    };
    const cutRoot = async (root: { z: number; x: number; y: number }, n: number) => {
      const started = performance.now();
      const { files, features } = await extract(tileBoundsLonLat(root.z, root.x, root.y), root.z, String(n));
      const extractSeconds = (performance.now() - started) / 1000;
      extracting += extractSeconds * 1000;
      let tiles = 0;
      let bytes = 0;
      let cutSeconds = 0;
      if (files.length > 0) {
        const result = await env.pool.run(
          'vectorTiles',
          {
            root,
            stopZoom: params.maxZoom,
            minZoom: params.minZoom,
            files,
            layers: specs,
            extent: params.extent,
            buffer: params.buffer,
            tolerance: params.tolerance,
            maxTileBytes: params.maxTileBytes,
            thin: params.thin,
            // The job cuts only inside its bbox and coverage: so does its sample, or a root
            // reaching past the bbox counts tiles the job never makes ("likely 57" of "at most 37").
            ...(jobRanges ? { ranges: jobRanges } : {}),
            ...(coverage ? { coverage: coverage.polygons } : {}),
          },
          { signal },
        );
        tiles = result.tiles;
        bytes = result.gzBytes;
        cutting += result.ms;
        cutSeconds = result.ms / 1000;
      }
      return { tiles, bytes, seconds: (performance.now() - started) / 1000, features, extractSeconds, cutSeconds };
    };
    // The first root warms GDAL (the source opened, PROJ) and the workers up: a cold start counted
    // in the sample would be multiplied by the plan's roots over the sample's. Not timed.
    if (picks[0]) await cutRoot(picks[0], picks.length);
    // What one extraction costs whatever its area (opening the sources, setting up a read): the
    // job pays it once, the sample once per root, so it is measured on a speck of the extent and
    // taken out of the sample's time before that is scaled up.
    const speck = tileBoundsLonLat(22, Math.floor(((range.minX + 0.5) * 2 ** 22) / 2 ** rootZoom), Math.floor(((range.minY + 0.5) * 2 ** 22) / 2 ** rootZoom));
    const fixedStart = performance.now();
    await extract(speck, params.maxZoom, 'speck');
    const fixed = (performance.now() - fixedStart) / 1000;
    const queue = picks.map((root, n) => ({ root, n }));
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.max(1, env.pool.threads) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) parts.push(await cutRoot(next.root, next.n));
      }),
    );
    const wall = (performance.now() - started) / 1000;
    // The roots ran in `lanes` lanes, each paying the fixed cost per root; a quarter of the wall
    // time is kept at least, whatever the speck's timing said.
    const lanes = Math.max(1, Math.min(env.pool.threads, picks.length));
    const seconds = Math.max(wall / 4, wall - (fixed * picks.length) / lanes);
    env.logger.debug(
      `vector estimate: ${parts.length} of ${count} roots at z${rootZoom} in ${wall.toFixed(2)} s, ${fixed.toFixed(2)} s a fixed cost per extraction (extraction ${(extracting / 1000).toFixed(2)} s, cutting ${(cutting / 1000).toFixed(2)} s, the first root's included)`,
    );
    // Each root's share of the wall time: its own time, scaled so that the shares add up to it.
    const own = parts.reduce((n, p) => n + p.seconds, 0);
    for (const p of parts) p.seconds = own > 0 ? (p.seconds * seconds) / own : seconds / parts.length;
    if (parts.every((p) => p.tiles === 0)) throw new TesseraError('OUTSIDE_EXTENT', `no feature in any of the ${parts.length} sampled tiles`);
    const sourceFeatures = sources.reduce(
      (n, { info, layers }) => n + layers.reduce((m, l) => m + (info.layers.find((x) => x.name === l.sourceLayer)?.featureCount ?? 0), 0),
      0,
    );
    return { rootZoom, roots: count, parts, seconds, fixed, sourceFeatures, threads: Math.max(1, env.pool.threads) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
