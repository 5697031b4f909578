/**
 * Vector preseed against its peers, on Natural Earth states_provinces (world_map.gpkg, 4,556
 * polygons), in one run:
 *  - Tessera: a real engine job (MBTiles output, gzip, the worker pool on every core), z0–10;
 *  - the plain loop: one geojson-vt index over all the data, then getTile + vt-pbf for every
 *    non-empty tile, depth first, on one thread, nothing written (the bar the issue sets);
 *  - `ogr2ogr -f MVT` into MBTiles at z0–8 (alone about a minute), beside Tessera at z0–8.
 * Each runs in its own child process, timed from spawn to exit; peak memory is the largest sum of
 * RSS over the child's process tree, sampled every 50 ms. The GeoJSON the loop reads is made by
 * ogr2ogr before any timing, and every input is read once first so all start from the page cache.
 *
 *   node dist/bench/vector-preseed-bench.js [--max-zoom N] [--skip-ogr2ogr]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import GeoJSONVT from 'geojson-vt';
import { worldMapGpkg } from '../main/testing/real-data.js';
import { measure, table } from './measure-process.js';
import { engineExecArgv, engineProcessEnv } from '../main/engine-process/engine-tuning.js';

const DIST = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const LAYER = 'states_provinces';

export interface VectorBenchRow {
  tool: string;
  zooms: string;
  seconds: number;
  tiles: number;
  tilesPerSecond: number;
  peakRssMiB: number;
  /** CPU time of the whole process (all threads), when it can tell. */
  cpuSeconds: number | null;
  detail: string;
}

function countTiles(mbtiles: string): number {
  const db = new Database(mbtiles, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM tiles').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A child process's script: one preseed-vector job on a fresh engine, its outcome as JSON on stdout. */
export function tesseraScript(dataDir: string, params: Record<string, unknown>): string {
  return `
    import { Engine } from ${JSON.stringify(join(DIST, 'main/engine/engine.js'))};
    import { createLogger } from ${JSON.stringify(join(DIST, 'main/logging/logger.js'))};
    const engine = await Engine.open({ dataDir: ${JSON.stringify(dataDir)}, host: 'headless', logger: createLogger('warn') });
    const started = performance.now();
    const job = await engine.start({ kind: 'preseed-vector', params: ${JSON.stringify(params)} });
    const final = await engine.waitFor(job.id);
    const seconds = (performance.now() - started) / 1000;
    const [item] = engine.store.allItems(job.id);
    await engine.close();
    const cpu = process.cpuUsage();
    process.stdout.write(JSON.stringify({ state: final.state, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, result: item.result, error: final.error }));
  `;
}

async function runTessera(dir: string, maxZoom: number): Promise<VectorBenchRow> {
  const output = join(dir, `tessera-z${maxZoom}.mbtiles`);
  const dataDir = mkdtempSync(join(dir, 'engine-'));
  const params = { sources: [worldMapGpkg()], layers: [{ name: LAYER }], minZoom: 0, maxZoom, output };
  // The engine process as its launchers start it (main/engine-process/engine-tuning.ts).
  const env = engineProcessEnv(process.env);
  const m = await measure(process.execPath, [...engineExecArgv(env), '--input-type=module', '-e', tesseraScript(dataDir, params)], env);
  const run = JSON.parse(m.stdout) as {
    state: string;
    seconds: number;
    cpuSeconds: number;
    result: { written: number; bytes: number; partitionZoom: number; extractSeconds: number };
    error: unknown;
  };
  if (run.state !== 'succeeded') throw new Error(`tessera job ended ${run.state}: ${JSON.stringify(run.error)}`);
  const mib = (statSync(output).size / 1024 ** 2).toFixed(1);
  return {
    tool: `Tessera (${availableParallelism()} workers, MBTiles, gzip)`,
    zooms: `z0–${maxZoom}`,
    seconds: m.seconds,
    tiles: run.result.written,
    tilesPerSecond: run.result.written / m.seconds,
    peakRssMiB: m.peakKiB / 1024,
    cpuSeconds: run.cpuSeconds,
    detail: `job ${run.seconds.toFixed(1)} s (GDAL read + partition ${run.result.extractSeconds.toFixed(1)} s, P=${run.result.partitionZoom}); MBTiles ${mib} MiB`,
  };
}

async function runPlainLoop(geojson: string, maxZoom: number): Promise<VectorBenchRow> {
  const m = await measure(process.execPath, ['--max-old-space-size=8192', SELF, '--plain-loop', geojson, String(maxZoom)]);
  const r = JSON.parse(m.stdout) as { tiles: number; seconds: number; bytes: number; cpuSeconds: number };
  return {
    tool: 'plain loop: geojson-vt + vt-pbf, 1 thread',
    zooms: `z0–${maxZoom}`,
    seconds: m.seconds,
    tiles: r.tiles,
    tilesPerSecond: r.tiles / m.seconds,
    peakRssMiB: m.peakKiB / 1024,
    cpuSeconds: r.cpuSeconds,
    detail: `loop ${r.seconds.toFixed(1)} s; ${(r.bytes / 1024 ** 2).toFixed(1)} MiB of MVT, not compressed, not written`,
  };
}

async function runOgr2ogr(dir: string, maxZoom: number): Promise<VectorBenchRow> {
  const output = join(dir, `ogr2ogr-z${maxZoom}.mbtiles`);
  const m = await measure('ogr2ogr', ['-f', 'MVT', '-dsco', 'FORMAT=MBTILES', '-dsco', `MAXZOOM=${maxZoom}`, output, worldMapGpkg(), LAYER]);
  const tiles = countTiles(output);
  return {
    tool: 'ogr2ogr -f MVT (GDAL 3.6)',
    zooms: `z0–${maxZoom}`,
    seconds: m.seconds,
    tiles,
    tilesPerSecond: tiles / m.seconds,
    peakRssMiB: m.peakKiB / 1024,
    cpuSeconds: null,
    detail: 'MBTiles',
  };
}

/** The plain single-thread loop, run in its own process by runPlainLoop. */
function plainLoop(geojson: string, maxZoom: number): void {
  const require = createRequire(import.meta.url);
  const vtpbf = require('vt-pbf') as { fromGeojsonVt(layers: Record<string, unknown>, options: { version: number; extent: number }): Uint8Array };
  const data = JSON.parse(readFileSync(geojson, 'utf8')) as GeoJSON.FeatureCollection;
  const started = performance.now();
  const index = new GeoJSONVT(data, { maxZoom, tolerance: 3, extent: 4096, buffer: 64 });
  let tiles = 0;
  let bytes = 0;
  const stack: [number, number, number][] = [[0, 0, 0]];
  while (stack.length > 0) {
    const [z, x, y] = stack.pop()!;
    const tile = index.getTile(z, x, y);
    if (!tile || tile.features.length === 0) continue;
    bytes += vtpbf.fromGeojsonVt({ [LAYER]: tile }, { version: 2, extent: 4096 }).length;
    tiles++;
    if (z < maxZoom) stack.push([z + 1, x * 2, y * 2], [z + 1, x * 2 + 1, y * 2], [z + 1, x * 2, y * 2 + 1], [z + 1, x * 2 + 1, y * 2 + 1]);
  }
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ tiles, bytes, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
}

export async function runVectorPreseedBench(options: { maxZoom?: number; skipOgr2ogr?: boolean } = {}): Promise<VectorBenchRow[]> {
  const maxZoom = options.maxZoom ?? 10;
  const ogrZoom = Math.min(8, maxZoom);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-vector-bench-'));
  try {
    const geojson = join(dir, `${LAYER}.geojson`);
    execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', geojson, worldMapGpkg(), LAYER]);
    readFileSync(worldMapGpkg());
    const load = loadavg()[0]!;
    const rows: VectorBenchRow[] = [];
    rows.push(await runTessera(dir, maxZoom));
    rows.push(await runPlainLoop(geojson, maxZoom));
    if (!options.skipOgr2ogr) {
      rows.push(await runTessera(dir, ogrZoom));
      rows.push(await runOgr2ogr(dir, ogrZoom));
    }
    const ours = rows[0]!;
    const loop = rows[1]!;
    table(
      `# Vector preseed — Natural Earth ${LAYER} (4,556 polygons), ${availableParallelism()} cores, Node ${process.version}; 1-min load ${load.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
      ['tool', 'zooms', 'wall s', 'CPU s', 'tiles', 'tiles/s', 'peak RSS MiB', 'detail'],
      rows.map((r) => [
        r.tool,
        r.zooms,
        r.seconds.toFixed(1),
        r.cpuSeconds === null ? '–' : r.cpuSeconds.toFixed(1),
        r.tiles.toLocaleString('en'),
        Math.round(r.tilesPerSecond).toLocaleString('en'),
        Math.round(r.peakRssMiB),
        r.detail,
      ]),
    );
    console.log(
      `\nTessera vs the plain loop at z0–${maxZoom}: ${(ours.tilesPerSecond / loop.tilesPerSecond).toFixed(2)}× the throughput (target ≥ 1.8×, writing included on our side only); ` +
        `peak RSS ${Math.round(ours.peakRssMiB)} MiB (target < 800); wall ${ours.seconds.toFixed(1)} s (target < 22 s, a third of the C++ tiler's 67 s in docs/data.md).` +
        "\nWall times are from spawn to exit: process start, loading GDAL and the job's own checks (the estimate and its sample) are in Tessera's." +
        "\nCPU s = user + system time of the whole process, all threads (the other rows' tools fork no workers). On a shared machine, wall times stretch with the load; CPU times much less.",
    );
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF) {
  const args = process.argv.slice(2);
  if (args[0] === '--plain-loop') {
    plainLoop(args[1]!, Number(args[2]));
  } else {
    const at = args.indexOf('--max-zoom');
    await runVectorPreseedBench({ maxZoom: at >= 0 ? Number(args[at + 1]) : undefined, skipOgr2ogr: args.includes('--skip-ogr2ogr') });
  }
}
