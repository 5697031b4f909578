/**
 * Vector preseed on big sources (issue 14): `@geo-maps/countries-maritime-10m` (38 MB, 250
 * multipolygons, some single features of several MB) and `@geo-maps/countries-coastline-1m`
 * (107 MB of lines), z0–8, in one run:
 *  - Tessera: a real engine job (MBTiles, gzip, the worker pool on every core);
 *  - tippecanoe -pf -pk when it is on the PATH (the table says so when it is not);
 *  - the plain loop: one geojson-vt index over the whole file and every non-empty tile, one thread.
 * The tools alternate within each repetition and each figure is the median of the repetitions.
 * Peak memory is the largest sum of RSS over the child's process tree, sampled every 50 ms.
 *
 * The data are fetched on demand into .data/ with `npm pack` (never in the everyday tests).
 *
 *   node dist/bench/vector-stress-bench.js [--reps N] [--max-zoom N] [--only maritime|coastline] [--timeout S]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import GeoJSONVT from 'geojson-vt';
import { TimedOut, measure, table } from './measure-process.js';
import { tesseraScript } from './vector-preseed-bench.js';
import { engineExecArgv, engineProcessEnv } from '../main/engine-process/engine-tuning.js';

const SELF = fileURLToPath(import.meta.url);
const DATA = fileURLToPath(new URL('../../.data/', import.meta.url));

const SOURCES = {
  maritime: { pkg: '@geo-maps/countries-maritime-10m', version: '0.6.0', what: '38 MB, 250 multipolygons' },
  coastline: { pkg: '@geo-maps/countries-coastline-1m', version: '0.6.0', what: '107 MB of lines' },
} as const;
type SourceName = keyof typeof SOURCES;

/** The package's map.geo.json under .data/, packed and unpacked on first use. */
export function geoMapsFile(name: SourceName): string {
  const { pkg, version } = SOURCES[name];
  const dir = join(DATA, 'geo-maps', name);
  const file = join(dir, 'map.geo.json');
  if (existsSync(file)) return file;
  const tgz = join(DATA, `${pkg.slice(1).replace('/', '-')}-${version}.tgz`);
  if (!existsSync(tgz)) execFileSync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', DATA], { stdio: 'ignore' });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', tgz, '-C', dir, '--strip-components=1', 'package/map.geo.json']);
  return file;
}

interface Run {
  seconds: number;
  cpuSeconds: number | null;
  tiles: number;
  peakMiB: number;
  detail: string;
}

async function runTessera(dir: string, source: string, maxZoom: number, rep: number, timeoutMs: number): Promise<Run> {
  const output = join(dir, `tessera-${rep}.mbtiles`);
  const dataDir = mkdtempSync(join(dir, 'engine-'));
  const params = { sources: [source], minZoom: 0, maxZoom, output };
  // The engine process as its launchers start it (main/engine-process/engine-tuning.ts).
  const env = engineProcessEnv(process.env);
  const m = await measure(process.execPath, [...engineExecArgv(env), '--input-type=module', '-e', tesseraScript(dataDir, params)], env, timeoutMs);
  const run = JSON.parse(m.stdout) as {
    state: string;
    cpuSeconds: number;
    result: { written: number; partitionZoom: number | null; partitions: number; extractSeconds: number };
    error: unknown;
  };
  if (run.state !== 'succeeded') throw new Error(`tessera job ended ${run.state}: ${JSON.stringify(run.error)}`);
  rmSync(output, { force: true });
  rmSync(dataDir, { recursive: true, force: true });
  return {
    seconds: m.seconds,
    cpuSeconds: run.cpuSeconds,
    tiles: run.result.written,
    peakMiB: m.peakKiB / 1024,
    detail: `P=${run.result.partitionZoom}, ${run.result.partitions} partitions; GDAL read + partition ${run.result.extractSeconds.toFixed(1)} s`,
  };
}

async function runTippecanoe(dir: string, source: string, maxZoom: number, rep: number, timeoutMs: number): Promise<Run> {
  const output = join(dir, `tippecanoe-${rep}.mbtiles`);
  const m = await measure('tippecanoe', ['-f', '-pf', '-pk', '-Z0', `-z${maxZoom}`, '-o', output, source], process.env, timeoutMs);
  const tiles = Number(execFileSync('sqlite3', [output, 'SELECT count(*) FROM tiles'], { encoding: 'utf8' }).trim());
  rmSync(output, { force: true });
  return { seconds: m.seconds, cpuSeconds: null, tiles, peakMiB: m.peakKiB / 1024, detail: 'MBTiles' };
}

async function runPlainLoop(source: string, maxZoom: number, timeoutMs: number): Promise<Run> {
  const m = await measure(process.execPath, ['--max-old-space-size=16384', SELF, '--plain-loop', source, String(maxZoom)], process.env, timeoutMs);
  const r = JSON.parse(m.stdout) as { tiles: number; cpuSeconds: number };
  return { seconds: m.seconds, cpuSeconds: r.cpuSeconds, tiles: r.tiles, peakMiB: m.peakKiB / 1024, detail: 'MVT encoded, not compressed, not written' };
}

/** The plain single-thread loop, in its own process (started by runPlainLoop). */
function plainLoop(source: string, maxZoom: number): void {
  const require = createRequire(import.meta.url);
  const vtpbf = require('vt-pbf') as { fromGeojsonVt(layers: Record<string, unknown>, options: { version: number; extent: number }): Uint8Array };
  const index = new GeoJSONVT(JSON.parse(readFileSync(source, 'utf8')) as GeoJSON.FeatureCollection, { maxZoom, tolerance: 3, extent: 4096, buffer: 64 });
  let tiles = 0;
  const stack: [number, number, number][] = [[0, 0, 0]];
  while (stack.length > 0) {
    const [z, x, y] = stack.pop()!;
    const tile = index.getTile(z, x, y);
    if (!tile || tile.features.length === 0) continue;
    vtpbf.fromGeojsonVt({ map: tile }, { version: 2, extent: 4096 });
    tiles++;
    if (z < maxZoom) stack.push([z + 1, x * 2, y * 2], [z + 1, x * 2 + 1, y * 2], [z + 1, x * 2, y * 2 + 1], [z + 1, x * 2 + 1, y * 2 + 1]);
  }
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ tiles, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function hasTippecanoe(): boolean {
  try {
    execFileSync('tippecanoe', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface StressOptions {
  reps?: number;
  maxZoom?: number;
  only?: SourceName;
  /** Seconds before a tool's run is killed and reported as not finished. */
  timeoutSeconds?: number;
}

export async function runVectorStressBench(options: StressOptions = {}): Promise<void> {
  const reps = options.reps ?? 3;
  const maxZoom = options.maxZoom ?? 8;
  const timeoutMs = (options.timeoutSeconds ?? 900) * 1000;
  const tippecanoe = hasTippecanoe();
  const names = options.only ? [options.only] : (Object.keys(SOURCES) as SourceName[]);
  for (const name of names) {
    const source = geoMapsFile(name);
    readFileSync(source); // into the page cache before any timing
    const dir = mkdtempSync(join(tmpdir(), `tessera-stress-${name}-`));
    const tools: [string, (rep: number) => Promise<Run>][] = [
      [`Tessera (${availableParallelism()} workers, MBTiles, gzip)`, (rep) => runTessera(dir, source, maxZoom, rep, timeoutMs)],
      ...(tippecanoe
        ? [['tippecanoe -pf -pk', (rep: number) => runTippecanoe(dir, source, maxZoom, rep, timeoutMs)] as [string, (rep: number) => Promise<Run>]]
        : []),
      ['plain loop: geojson-vt + vt-pbf, 1 thread', () => runPlainLoop(source, maxZoom, timeoutMs)],
    ];
    const runs = new Map<string, (Run | TimedOut)[]>(tools.map(([t]) => [t, []]));
    const load = loadavg()[0]!;
    try {
      for (let rep = 0; rep < reps; rep++) {
        for (const [tool, run] of tools) {
          runs.get(tool)!.push(
            await run(rep).catch((error: unknown) => {
              if (error instanceof TimedOut) return error;
              throw error;
            }),
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const rows = tools.map(([tool]) => {
      const all = runs.get(tool)!;
      const done = all.filter((r): r is Run => !(r instanceof TimedOut));
      if (done.length === 0) {
        const t = all[0] as TimedOut;
        return [tool, `> ${t.seconds.toFixed(0)}`, '–', '–', `≥ ${Math.round(t.peakKiB / 1024)}`, t.message];
      }
      const cpu = done.map((r) => r.cpuSeconds).filter((c): c is number => c !== null);
      return [
        tool,
        median(done.map((r) => r.seconds)).toFixed(1),
        cpu.length ? median(cpu).toFixed(1) : '–',
        done[0]!.tiles.toLocaleString('en'),
        Math.round(median(done.map((r) => r.peakMiB))),
        `${done[0]!.detail}${done.length < all.length ? `; ${all.length - done.length} run(s) timed out` : ''}`,
      ];
    });
    table(
      `# Vector stress — ${SOURCES[name].pkg} (${SOURCES[name].what}), z0–${maxZoom}, medians of ${reps}; ${availableParallelism()} cores; 1-min load ${load.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
      ['tool', 'wall s', 'CPU s', 'tiles', 'peak RSS MiB', 'detail'],
      rows,
    );
    if (!tippecanoe) console.log('tippecanoe is not on the PATH here: no tippecanoe row (the issue measured 251 s, 430 MiB on 168 MB of land polygons).');
  }
  console.log(
    '\nTargets (issue 14): finish; ≥ 5× tippecanoe’s speed; peak RSS < 1.2 GB. Wall = spawn to exit (GDAL load and the job’s checks included); CPU = user + system of the whole process.',
  );
}

if (process.argv[1] === SELF) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  if (args[0] === '--plain-loop') plainLoop(args[1]!, Number(args[2]));
  else
    await runVectorStressBench({
      reps: value('--reps') ? Number(value('--reps')) : undefined,
      maxZoom: value('--max-zoom') ? Number(value('--max-zoom')) : undefined,
      only: value('--only') as SourceName | undefined,
      timeoutSeconds: value('--timeout') ? Number(value('--timeout')) : undefined,
    });
}
