/**
 * The ingest stress case (issue 14): big GeoJSON files from npm (`@geo-maps/countries-coastline-1m`,
 * 107 MB of coastline multipolygons; `@geo-maps/countries-maritime-10m`, 38 MB), each ingested by a
 * fresh engine process alternately with `ogr2ogr -f GPKG` writing the same GeoPackage, and the medians
 * of both: wall time to "job succeeded" (target ≤ 1.1× ogr2ogr) and peak RSS until then (target ≤
 * ogr2ogr's own), then the catalogue's analysis after the job (not in the ratio).
 *
 * The files are fetched on first use with `npm pack` into `.data/` (not by the everyday tests).
 * The data directories go under `--work DIR` (default: the system's temporary folder); on the
 * file's volume, staging hard-links the file and the plan's parse serves the import
 * (main/ingest/planned-sources.ts); elsewhere it is copied and parsed again, as the table says.
 *
 * The engine process runs with the environment and flags its launchers give it
 * (main/engine-process/engine-tuning.ts). `--before DIST` adds another build (its dist/ folder) to
 * the same rounds, started as it was before those tunings (the bench's own environment), so a
 * before/after table comes from one run.
 *
 * Run: `node dist/bench/ingest-bench.js --stress [--reps N] [--work DIR] [--before DIST]`.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../main/engine/engine.js';
import { engineExecArgv, engineProcessEnv } from '../main/engine-process/engine-tuning.js';
import { createLogger } from '../main/logging/logger.js';
import { realDataPath } from '../main/testing/real-data.js';
import { table } from './measure-process.js';

const MiB = 1024 * 1024;

/** The npm packages of the stress case, and the GeoJSON inside each. */
const STRESS_FILES = [
  { pkg: '@geo-maps/countries-coastline-1m@0.6.0', file: 'countries-coastline-1m.geojson' },
  { pkg: '@geo-maps/countries-maritime-10m@0.6.0', file: 'countries-maritime-10m.geojson' },
];

/** The file in `.data/geo-maps/`, fetched (npm pack) and unpacked the first time. */
export function stressFile(pkg: string, name: string): string {
  const dir = realDataPath('geo-maps');
  const target = join(dir, name);
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const tgz = join(dir, execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').at(-1)!);
  const unpacked = mkdtempSync(join(dir, 'unpack-'));
  try {
    execFileSync('tar', ['xzf', tgz, '-C', unpacked, 'package/map.geo.json']);
    renameSync(join(unpacked, 'package', 'map.geo.json'), target);
  } finally {
    rmSync(unpacked, { recursive: true, force: true });
    rmSync(tgz, { force: true });
  }
  return target;
}

interface ToolRun {
  ms: number;
  peakRssBytes: number;
}

interface IngestRun extends ToolRun {
  /** Planning, staging and import, from the job's and items' timestamps. */
  planMs: number;
  stageMs: number;
  importMs: number;
  /** After the job: until the catalogue's analysis (counts, preview) is done. */
  analysisMs: number;
  /** Peak RSS of the whole process, the analysis included. */
  peakWithAnalysisBytes: number;
}

/** ogr2ogr with the import's options, its peak RSS from GNU time (getrusage of the child). */
function runOgr2ogr(file: string, work: string): ToolRun {
  const out = join(work, `peer-${Date.now()}.gpkg`);
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', 'ogr2ogr', '-f', 'GPKG', out, file, '-lco', 'SPATIAL_INDEX=YES', '-gt', '65536'], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - started;
  rmSync(out, { force: true });
  if (run.status !== 0) throw new Error(`ogr2ogr ${file}: exit ${run.status}: ${run.stderr.slice(-500)}`);
  // GNU time's line is the last one on stderr (GDAL's warnings come before it).
  return { ms, peakRssBytes: Number(run.stderr.trim().split('\n').at(-1)) * 1024 };
}

/** A build of Tessera to run: this one (tuned as its launchers start the engine) or an earlier one (`--before`). */
interface Build {
  label: string;
  /** Its compiled bench/ingest-stress.js, whose `--stress-child` runs the ingest. */
  script: string;
  env: NodeJS.ProcessEnv;
  execArgv: string[];
}

function thisBuild(): Build {
  const env = engineProcessEnv(process.env);
  return { label: 'this build', script: fileURLToPath(import.meta.url), env, execArgv: engineExecArgv(env) };
}

function earlierBuild(dist: string): Build {
  return { label: `before (${dist})`, script: join(resolve(dist), 'bench/ingest-stress.js'), env: process.env, execArgv: [] };
}

/** One ingest in a fresh engine process, so that its peak RSS is this ingest's alone. */
function runTessera(build: Build, file: string, work: string): Promise<IngestRun> {
  const dataDir = mkdtempSync(join(work, 'data-'));
  return new Promise<IngestRun>((resolve, reject) => {
    const child = spawn(process.execPath, [...build.execArgv, build.script, '--stress-child', file, dataDir], {
      env: build.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the ingest process exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as IngestRun);
    });
  }).finally(() => rmSync(dataDir, { recursive: true, force: true }));
}

/** The child's side: open an engine, ingest, note the time and peak RSS at "job succeeded", then the analysis. */
async function stressChild(file: string, dataDir: string): Promise<void> {
  const engine = await Engine.open({ dataDir, host: 'headless', holder: 'ingest stress bench', logger: createLogger('silent') });
  try {
    await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
    const started = performance.now();
    const job = await engine.start({ kind: 'ingest', params: { files: [file] } });
    const done = await engine.waitFor(job.id);
    const ms = performance.now() - started;
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    if (done.state !== 'succeeded') throw new Error(`ingest ended ${done.state}: ${done.error?.message}`);
    const items = engine.store.listItems(job.id, { limit: 100 }).rows;
    const at = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);
    // One file: its stage item comes first in the plan, its layers' imports after it.
    const [stage, ...imports] = items as [(typeof items)[number], ...typeof items];
    await engine.catalog.analysesDone();
    const analysisMs = performance.now() - started - ms;
    const run: IngestRun = {
      ms,
      peakRssBytes,
      planMs: at(stage.startedAt) - at(done.startedAt),
      stageMs: at(stage.finishedAt) - at(stage.startedAt),
      importMs: Math.max(...imports.map((i) => at(i.finishedAt))) - Math.min(...imports.map((i) => at(i.startedAt))),
      analysisMs,
      peakWithAnalysisBytes: process.resourceUsage().maxRSS * 1024,
    };
    process.stdout.write(`${JSON.stringify(run)}\n`);
  } finally {
    await engine.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const s = (ms: number) => (ms / 1000).toFixed(1);

/** Runs the stress case and prints its table. */
export async function runIngestStress(options: { reps?: number; work?: string; before?: string } = {}): Promise<void> {
  const reps = options.reps ?? 3;
  const builds = [thisBuild(), ...(options.before ? [earlierBuild(options.before)] : [])];
  const loadAtStart = loadavg()[0]!.toFixed(2);
  const work = mkdtempSync(join(options.work ?? tmpdir(), 'tessera-ingest-stress-'));
  const rows: string[][] = [];
  try {
    for (const { pkg, file: name } of STRESS_FILES) {
      const file = stressFile(pkg, name);
      const linked = statSync(dirname(file)).dev === statSync(work).dev;
      const tool: ToolRun[] = [];
      const ours = builds.map(() => [] as IngestRun[]);
      // Alternated, so that a busy moment of a shared machine does not fall on one side only.
      for (let r = 0; r < reps; r++) {
        tool.push(runOgr2ogr(file, work));
        for (const [b, build] of builds.entries()) ours[b]!.push(await runTessera(build, file, work));
        const times = builds.map((b, i) => `${b.label} ${s(ours[i]!.at(-1)!.ms)} s ${mib(ours[i]!.at(-1)!.peakRssBytes)}`).join(', ');
        console.log(`  ${name} rep ${r + 1}: ogr2ogr ${s(tool.at(-1)!.ms)} s ${mib(tool.at(-1)!.peakRssBytes)}, ${times} (load ${loadavg()[0]!.toFixed(1)})`);
      }
      const toolMs = median(tool.map((t) => t.ms));
      const toolRss = median(tool.map((t) => t.peakRssBytes));
      for (const [b, build] of builds.entries()) {
        const m = (pick: (r: IngestRun) => number) => median(ours[b]!.map(pick));
        rows.push([
          `${name}${linked ? '' : ' (copied: another volume)'}`,
          mib(statSync(file).size),
          build.label,
          s(toolMs),
          s(m((r) => r.ms)),
          `${(m((r) => r.ms) / toolMs).toFixed(2)}×`,
          `${s(m((r) => r.planMs))} / ${s(m((r) => r.stageMs))} / ${s(m((r) => r.importMs))}`,
          mib(toolRss),
          mib(m((r) => r.peakRssBytes)),
          `${(m((r) => r.peakRssBytes) / toolRss).toFixed(2)}×`,
          s(m((r) => r.analysisMs)),
          mib(m((r) => r.peakWithAnalysisBytes)),
        ]);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  table(
    `Ingest stress (1-min load ${loadAtStart} at the start): big GeoJSON to "job succeeded", alternately with ogr2ogr -f GPKG (median of ${reps}; targets: ratio ≤ 1.1×, peak RSS ≤ ogr2ogr's)`,
    [
      'file',
      'size',
      'build',
      'ogr2ogr s',
      'ingest s',
      'ratio',
      'plan / stage / import s',
      'ogr2ogr RSS',
      'ingest RSS',
      'RSS ratio',
      '+ analysis s',
      'RSS with analysis',
    ],
    rows,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--stress-child') await stressChild(process.argv[3]!, process.argv[4]!);
