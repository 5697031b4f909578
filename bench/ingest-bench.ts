/**
 * Ingestion against the GDAL command-line tools on the same files: the time of a whole ingest job
 * (staging copy, checks, import, counts and extents, commit) against `ogr2ogr` / `gdal_translate`
 * writing the same GeoPackage / COG with the same options, and the ratio (target: at most 1.1×);
 * beside it, the time until the catalogue's analysis after the commit (invalid geometries counted,
 * thumbnail and preview drawn) is done too. Then the peak RSS of an engine process ingesting a raster larger
 * than 1 GB (made with GDAL in a temporary folder; target: under 300 MB).
 *
 * Run alone: `node dist/bench/ingest-bench.js [--reps N] [--big-mb MB] [--skip-big | --only-big]`; with
 * `--stress [--work DIR]`, the big GeoJSON case of bench/ingest-stress.ts instead.
 * Set-up (fixtures, the big file) is outside every timing; each figure is the median of the reps.
 */
import { execFile, execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import gdal from 'gdal-async';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { GDAL_CACHE_MEGABYTES } from '../main/gdal/gdal-config.js';
import { cogArguments } from '../main/ingest/import-dataset.js';
import { countriesShapefileZip } from '../main/ingest/testing/ingest-fixtures.js';
import { illinoisNad27Tif, srtmDem, worldMapGpkg } from '../main/testing/real-data.js';
import { runIngestStress } from './ingest-stress.js';
import { engineExecArgv, engineProcessEnv } from '../main/engine-process/engine-tuning.js';

const run = promisify(execFile);

export interface IngestBenchOptions {
  reps?: number;
  /** Size of the big raster, in MiB (more than 1024). */
  bigMegabytes?: number;
  skipBig?: boolean;
  /** Only the big raster (its peak RSS, `reps` engine processes of each thread count). */
  onlyBig?: boolean;
}

export interface IngestBenchRow {
  file: string;
  bytes: number;
  ingestMs: number;
  /** Until the catalogue's analysis (counts, thumbnail, preview) is done too. */
  drawnMs: number;
  toolMs: number;
  ratio: number;
}

export interface IngestBenchResult {
  rows: IngestBenchRow[];
  big: { bytes: number; toolMs: number; runs: { threads: string; ingestMs: number; ratio: number; peakRssBytes: number; peakDuring: string }[] } | null;
}

/** What each file is compared with: the tool and arguments that write what the ingest writes. */
function peerCommand(file: string, out: string): [string, string[]] {
  if (/\.(gpkg|zip)$/i.test(file)) {
    const source = file.endsWith('.zip') ? `/vsizip/${file}` : file;
    const promote = file.endsWith('.zip') ? ['-nlt', 'PROMOTE_TO_MULTI'] : [];
    return ['ogr2ogr', ['-f', 'GPKG', out, source, '-lco', 'SPATIAL_INDEX=YES', '-gt', '65536', ...promote]];
  }
  // The same creation options as the import (averaged overviews, except for paletted rasters).
  const ds = gdal.open(file);
  const paletted = Boolean(ds.bands.get(1).colorTable);
  ds.close();
  return ['gdal_translate', ['-q', ...cogArguments(paletted), file, out]];
}

/**
 * Runs the peer tools from a small process of its own, never from the engine's. Starting a child
 * forks the starting process, and after a fork every page the engine writes faults once
 * (copy-on-write) across its hundreds of MiB: measured here, the ingest that followed a tool
 * started by the engine's process took 380–520 ms instead of ~300, whichever tool it was (gzip
 * did it too). A user's tools and Tessera are separate processes; so they are here.
 */
class ToolRunner {
  private readonly child = fork(fileURLToPath(import.meta.url), ['--tool-runner'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  /** Wall milliseconds of `tool args` (it must exit 0). */
  time(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
    return new Promise((resolveTime, reject) => {
      this.child.once('message', (reply: { ms?: number; error?: string }) =>
        reply.error === undefined ? resolveTime(reply.ms!) : reject(new Error(reply.error)),
      );
      this.child.send({ tool, args, env });
    });
  }

  close(): void {
    this.child.disconnect();
  }
}

/** The runner's side: one tool at a time, timed around its whole run. */
function serveTools(): void {
  process.on('message', ({ tool, args, env }: { tool: string; args: string[]; env: NodeJS.ProcessEnv }) => {
    const started = performance.now();
    try {
      execFileSync(tool, args, { env, stdio: 'ignore' });
      process.send!({ ms: performance.now() - started });
    } catch (error) {
      process.send!({ error: `${tool} ${args.join(' ')}: ${(error as Error).message}` });
    }
  });
}

async function timeTool(runner: ToolRunner, file: string, dir: string): Promise<number> {
  const out = join(dir, `peer-${Date.now()}${/\.(gpkg|zip)$/i.test(file) ? '.gpkg' : '.tif'}`);
  const [tool, args] = peerCommand(file, out);
  // With the block cache the engine runs with (Engine.open bounds it: main/gdal/gdal-config.ts):
  // GDAL's default of 5% of RAM made the same gdal_translate slower, not faster, on this machine.
  const ms = await runner.time(tool, args, { ...process.env, GDAL_CACHEMAX: process.env.GDAL_CACHEMAX ?? String(GDAL_CACHE_MEGABYTES) });
  rmSync(out, { force: true });
  return ms;
}

/**
 * The ingest job, start to finish (the dataset is in the catalogue with its layers, counts and
 * extents), and until the catalogue's analysis is done too (invalid geometries counted, thumbnail
 * and preview drawn, after the commit: catalog.changed).
 */
async function timeIngest(engine: Engine, file: string): Promise<{ ms: number; drawnMs: number }> {
  const started = performance.now();
  const job = await engine.start({ kind: 'ingest', params: { files: [file] } });
  const done = await engine.waitFor(job.id);
  const ms = performance.now() - started;
  if (done.state !== 'succeeded') throw new Error(`ingest of ${file} ended ${done.state}: ${done.error?.message}`);
  await engine.catalog.analysesDone();
  const drawnMs = performance.now() - started;
  // Keep the data directory small: each rep starts from an empty catalogue.
  await engine.catalog.delete(engine.catalog.madeBy(job.id).map((d) => d.id));
  return { ms, drawnMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
}

const MiB = 1024 * 1024;

/** Runs the benchmark and prints its tables. */
export async function runIngestBench(options: IngestBenchOptions = {}): Promise<IngestBenchResult> {
  const reps = options.reps ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-bench-'));
  try {
    mkdirSync(join(dir, 'files'));
    const rows: IngestBenchRow[] = [];
    if (!options.onlyBig) rows.push(...(await smallFiles(dir, reps)));
    let big: IngestBenchResult['big'] = null;
    if (!options.skipBig) big = await bigFile(dir, options.bigMegabytes ?? 1100, options.onlyBig ? reps : 1);
    return { rows, big };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The small files against ogr2ogr / gdal_translate, in one engine. */
async function smallFiles(dir: string, reps: number): Promise<IngestBenchRow[]> {
  const files = [worldMapGpkg(), await countriesShapefileZip(join(dir, 'files')), srtmDem(), illinoisNad27Tif()];
  const engine = await Engine.open({ dataDir: join(dir, 'data'), host: 'headless', holder: 'ingest bench', threads: 1, logger: createLogger('silent') });
  const rows: IngestBenchRow[] = [];
  const runner = new ToolRunner();
  try {
    await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
    for (const file of files) {
      const ingest: number[] = [];
      const drawn: number[] = [];
      const tool: number[] = [];
      // Alternated, so that a slow moment of a loaded machine does not fall on one side only.
      for (let r = 0; r < reps; r++) {
        tool.push(await timeTool(runner, file, dir));
        const timed = await timeIngest(engine, file);
        ingest.push(timed.ms);
        drawn.push(timed.drawnMs);
      }
      const row = {
        file: file.split('/').at(-1)!,
        bytes: statSync(file).size,
        ingestMs: median(ingest),
        drawnMs: median(drawn),
        toolMs: median(tool),
        ratio: median(ingest) / median(tool),
      };
      rows.push(row);
    }
  } finally {
    runner.close();
    await engine.close();
  }
  table(
    `Ingest vs ogr2ogr / gdal_translate (median of ${reps}; target ratio ≤ 1.1×). "ingest": the job, until the dataset is in the catalogue; "+ analysis": until its invalid geometries are counted and its thumbnail and preview drawn too (after the commit), not in the ratio`,
    ['file', 'size', 'ingest ms', 'tool ms', 'ratio', '+ analysis ms', 'ratio with analysis'],
    rows.map((r) => [
      r.file,
      `${(r.bytes / MiB).toFixed(1)} MiB`,
      r.ingestMs.toFixed(0),
      r.toolMs.toFixed(0),
      `${r.ratio.toFixed(2)}×`,
      r.drawnMs.toFixed(0),
      `${(r.drawnMs / r.toolMs).toFixed(2)}×`,
    ]),
  );
  return rows;
}

/**
 * A > 1 GB raster (the SRTM DEM resampled up, uncompressed Int16), ingested by an engine in a child
 * process, `reps` times for each thread count (a fresh process each time: RSS varies by ±15 MiB
 * from run to run with how glibc's arenas happen to be used).
 */
async function bigFile(dir: string, megabytes: number, reps: number): Promise<NonNullable<IngestBenchResult['big']>> {
  const side = Math.ceil(Math.sqrt((megabytes * MiB) / 2));
  const big = join(dir, 'files', `srtm-${side}.tif`);
  await run('gdal_translate', [
    '-q',
    '-of',
    'GTiff',
    '-outsize',
    String(side),
    String(side),
    '-r',
    'bilinear',
    '-co',
    'TILED=YES',
    '-co',
    'BIGTIFF=YES',
    srtmDem(),
    big,
  ]);
  const bytes = statSync(big).size;
  const runner = new ToolRunner();
  const toolMs = await timeTool(runner, big, dir).finally(() => runner.close());
  // The engine as it runs by default (a worker per core), and with one worker: an ingest does not
  // use the pool, whose threads start with its first task (worker-pool.ts), so both should match.
  const runs: NonNullable<IngestBenchResult['big']>['runs'] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const threads of ['default', '1']) {
      const dataDir = join(dir, `big-data-${threads}-${rep}`);
      const child = await measureInChild(big, dataDir, threads);
      rmSync(dataDir, { recursive: true, force: true });
      runs.push({
        threads: threads === 'default' ? `${availableParallelism()} (default)` : threads,
        ingestMs: child.ms,
        ratio: child.ms / toolMs,
        peakRssBytes: child.peakRssBytes,
        peakDuring: child.sampledPeakDuring,
      });
    }
  }
  table(
    'A raster larger than 1 GB: one engine process ingesting it (targets: ratio ≤ 1.1×, peak RSS < 300 MB)',
    ['file', 'size', 'worker threads', 'ingest ms', 'gdal_translate ms', 'ratio', 'peak RSS', 'highest sample during'],
    runs.map((r) => [
      big.split('/').at(-1)!,
      `${(bytes / MiB).toFixed(0)} MiB`,
      r.threads,
      r.ingestMs.toFixed(0),
      toolMs.toFixed(0),
      `${r.ratio.toFixed(2)}×`,
      `${(r.peakRssBytes / MiB).toFixed(0)} MiB (${(r.peakRssBytes / 1e6).toFixed(0)} MB)`,
      r.peakDuring,
    ]),
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  rmSync(big, { force: true });
  return { bytes, toolMs, runs };
}

/** Ingests `file` in a fresh Node process (so the peak RSS is this ingest's alone). */
function measureInChild(file: string, dataDir: string, threads: string): Promise<{ ms: number; peakRssBytes: number; sampledPeakDuring: string }> {
  return new Promise((resolve, reject) => {
    // The engine process as its launchers start it (main/engine-process/engine-tuning.ts).
    const env = engineProcessEnv(process.env);
    const child = spawn(process.execPath, [...engineExecArgv(env), fileURLToPath(import.meta.url), '--measure', file, dataDir, threads], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the measuring process exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; peakRssBytes: number; sampledPeakDuring: string });
    });
  });
}

/**
 * The child's side: one engine, one ingest, then the process's peak RSS (getrusage), read once the
 * catalogue's analysis after the commit (the preview of the raster) is done and the engine closed.
 */
async function measure(file: string, dataDir: string, threads: string): Promise<void> {
  const engine = await Engine.open({
    dataDir,
    host: 'headless',
    holder: 'ingest bench (rss)',
    logger: createLogger('silent'),
    ...(threads === 'default' ? {} : { threads: Number(threads) }),
  });
  // Which step the peak falls in: the item running when RSS was sampled highest.
  let peak = { rss: 0, during: 'start' };
  let jobDone = false;
  let sampler: NodeJS.Timeout | undefined;
  let ms = 0;
  try {
    await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
    const started = performance.now();
    const job = await engine.start({ kind: 'ingest', params: { files: [file] } });
    sampler = setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss <= peak.rss) return;
      // Once the job is done the store may be closing: no query then.
      const running = jobDone ? undefined : engine.store.listItems(job.id, { states: ['running'], limit: 1 }).rows[0];
      peak = { rss, during: jobDone ? 'after the job (analysis, close)' : (running?.label ?? 'planning or committing') };
    }, 100);
    const done = await engine.waitFor(job.id);
    jobDone = true;
    ms = performance.now() - started;
    if (done.state !== 'succeeded') throw new Error(`ingest ended ${done.state}: ${done.error?.message}`);
    await engine.catalog.analysesDone();
  } finally {
    jobDone = true;
    await engine.close();
    clearInterval(sampler);
  }
  process.stdout.write(`${JSON.stringify({ ms, peakRssBytes: process.resourceUsage().maxRSS * 1024, sampledPeakDuring: peak.during })}\n`);
}

const invokedDirectly = process.argv[1] === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = process.argv.slice(2);
  if (args[0] === '--tool-runner') serveTools();
  else if (args[0] === '--measure') await measure(args[1]!, args[2]!, args[3] ?? 'default');
  else {
    const flag = (name: string) => {
      const i = args.indexOf(name);
      return i === -1 ? undefined : args[i + 1];
    };
    console.log(`Tessera ingest benchmark — Node ${process.version}, ${new Date().toISOString()}`);
    console.log(
      `load average: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    if (args.includes('--stress'))
      await runIngestStress({
        reps: Number(flag('--reps') ?? 3),
        ...(flag('--work') ? { work: flag('--work')! } : {}),
        ...(flag('--before') ? { before: flag('--before')! } : {}),
      });
    else
      await runIngestBench({
        reps: Number(flag('--reps') ?? 3),
        bigMegabytes: Number(flag('--big-mb') ?? 1100),
        skipBig: args.includes('--skip-big'),
        onlyBig: args.includes('--only-big'),
      });
  }
}
