/**
 * Peak memory of Tessera's jobs (issue 14.5), one fresh engine process per job, variants run
 * alternately (A, B, A, B…) so the machine's load falls on all alike:
 *  - vector: Natural Earth states_provinces z0–10 into MBTiles (target ≤ 400 MiB);
 *  - raster: Blue Marble z0–6 PNG into MBTiles, average resampling (target ≤ 300 MiB);
 *  - ingest: 102 MiB of coastlines (@geo-maps/countries-coastline-1m) to "job succeeded", peak
 *    RSS against ogr2ogr's into a GeoPackage (the peer, run in the same rounds).
 * Peak RSS is the largest sum of RSS over the process tree, sampled every 50 ms; CPU s is the
 * engine process's own user + system time (all threads). The engine process starts with the
 * environment and flags its launchers give it (main/engine-process/engine-tuning.ts:
 * UV_THREADPOOL_SIZE, MALLOC_ARENA_MAX, the main thread's semi-space); a variant's own values win
 * (`MALLOC_ARENA_MAX=16` is glibc's default on 2 cores; `NODE_OPTIONS=--max-semi-space-size=16`, V8's).
 *
 * A variant is a build of Tessera (its dist/ folder, this one by default) and environment:
 *   node dist/bench/memory-bench.js [--jobs vector,raster,ingest] [--reps N] [--vector-max-zoom N]
 *        [--variant LABEL=DIST[,KEY=VALUE...]]...
 * e.g. `--variant before=/tmp/main/dist --variant after=dist` for a before/after table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineExecArgv, engineProcessEnv } from '../main/engine-process/engine-tuning.js';
import { blueMarbleTif, worldMapGpkg } from '../main/testing/real-data.js';
import { stressFile } from './ingest-stress.js';
import { measure, table } from './measure-process.js';
import { optionValue } from './option-value.js';

const HERE = fileURLToPath(new URL('../', import.meta.url));
type Job = 'vector' | 'raster' | 'ingest';

interface Variant {
  label: string;
  dist: string;
  env: Record<string, string>;
}

interface Run {
  seconds: number;
  cpuSeconds: number | null;
  peakMiB: number;
}

/** The job each bench case starts, given where its output goes. */
function jobInput(job: Job, dir: string, vectorMaxZoom = 10): { kind: string; params: Record<string, unknown> } {
  if (job === 'vector')
    return {
      kind: 'preseed-vector',
      params: { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: vectorMaxZoom, output: join(dir, 'v.mbtiles') },
    };
  if (job === 'raster')
    return {
      kind: 'preseed-raster',
      params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 6, output: join(dir, 'r.mbtiles'), resampling: 'average', format: 'png' },
    };
  return { kind: 'ingest', params: { files: [coastlines()] } };
}

/** The ingest's 102 MiB GeoJSON, fetched into .data/ on first use. */
function coastlines(): string {
  return stressFile('@geo-maps/countries-coastline-1m@0.6.0', 'countries-coastline-1m.geojson');
}

/** One job in a fresh engine of build `dist`; prints its state and the process's CPU time. */
function engineScript(dist: string, dataDir: string, input: { kind: string; params: Record<string, unknown> }): string {
  return `
    import { Engine } from ${JSON.stringify(join(dist, 'main/engine/engine.js'))};
    import { createLogger } from ${JSON.stringify(join(dist, 'main/logging/logger.js'))};
    const engine = await Engine.open({ dataDir: ${JSON.stringify(dataDir)}, host: 'headless', logger: createLogger('warn') });
    await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
    const job = await engine.start(${JSON.stringify(input)});
    const final = await engine.waitFor(job.id);
    const cpu = process.cpuUsage();
    process.stdout.write(JSON.stringify({ state: final.state, error: final.error, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
    // The job's end is the measure: the catalogue's analysis after an ingest is not waited for.
    process.exit(0);
  `;
}

async function runTessera(job: Job, variant: Variant, vectorMaxZoom?: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), `tessera-memory-${job}-`));
  try {
    // The engine process as its launchers start it, with the variant's own settings over it.
    const env = engineProcessEnv({ ...process.env, ...variant.env });
    const m = await measure(
      process.execPath,
      [...engineExecArgv(env), '--input-type=module', '-e', engineScript(variant.dist, join(dir, 'data'), jobInput(job, dir, vectorMaxZoom))],
      env,
    );
    const out = JSON.parse(m.stdout) as { state: string; error: unknown; cpuSeconds: number };
    if (out.state !== 'succeeded') throw new Error(`${variant.label} ${job}: ${out.state} ${JSON.stringify(out.error)}`);
    return { seconds: m.seconds, cpuSeconds: out.cpuSeconds, peakMiB: m.peakKiB / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ogr2ogr into a GeoPackage with the import's options: the ingest's peer. */
async function runOgr2ogr(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-memory-ogr-'));
  try {
    const m = await measure('ogr2ogr', ['-f', 'GPKG', join(dir, 'o.gpkg'), coastlines(), '-lco', 'SPATIAL_INDEX=YES', '-gt', '65536'], {
      ...process.env,
      OGR_GEOJSON_MAX_OBJ_SIZE: '0',
    });
    return { seconds: m.seconds, cpuSeconds: null, peakMiB: m.peakKiB / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function parseVariant(text: string): Variant {
  const [label, rest] = text.split(/=(.*)/s) as [string, string | undefined];
  if (!rest) throw new Error(`--variant LABEL=DIST[,KEY=VALUE...], not ${text}`);
  const [dist, ...pairs] = rest.split(',');
  return { label, dist: resolve(dist!), env: Object.fromEntries(pairs.map((p) => p.split(/=(.*)/s).slice(0, 2) as [string, string])) };
}

export async function runMemoryBench(options: { jobs?: Job[]; reps?: number; variants?: Variant[]; vectorMaxZoom?: number } = {}): Promise<void> {
  const jobs = options.jobs ?? ['vector', 'raster'];
  const reps = options.reps ?? 3;
  const variants = options.variants?.length ? options.variants : [{ label: 'this build', dist: HERE, env: {} }];
  const load = () => loadavg()[0]!.toFixed(1);
  const loadBefore = load();
  const rows: (string | number)[][] = [];
  for (const job of jobs) {
    const peers: { label: string; run: () => Promise<Run> }[] = variants.map((v) => ({ label: v.label, run: () => runTessera(job, v, options.vectorMaxZoom) }));
    if (job === 'ingest') peers.push({ label: 'ogr2ogr -f GPKG', run: runOgr2ogr });
    const runs = new Map<string, Run[]>(peers.map((p) => [p.label, []]));
    for (let rep = 0; rep < reps; rep++) {
      for (const peer of peers) {
        const r = await peer.run();
        runs.get(peer.label)!.push(r);
        console.error(`${job} ${peer.label} #${rep + 1}: ${r.seconds.toFixed(1)} s, CPU ${r.cpuSeconds?.toFixed(1) ?? '–'} s, ${r.peakMiB.toFixed(0)} MiB`);
      }
    }
    for (const peer of peers) {
      const r = runs.get(peer.label)!;
      const cpu = r.map((x) => x.cpuSeconds).filter((x): x is number => x !== null);
      rows.push([
        job === 'vector' && options.vectorMaxZoom !== undefined ? `vector z0–${options.vectorMaxZoom}` : job,
        peer.label,
        median(r.map((x) => x.seconds)).toFixed(1),
        cpu.length ? median(cpu).toFixed(1) : '–',
        median(r.map((x) => x.peakMiB)).toFixed(0),
        r.map((x) => x.peakMiB.toFixed(0)).join(' '),
      ]);
    }
  }
  const variantsText = variants.map((v) => `${v.label} = ${v.dist}${Object.keys(v.env).length ? ` with ${JSON.stringify(v.env)}` : ''}`).join('; ');
  table(
    `Peak memory of Tessera jobs — ${availableParallelism()} cores, Node ${process.version}, median of ${reps}, run alternately; 1-min load ${loadBefore} before, ${load()} after; ${variantsText}`,
    ['job', 'variant', 'wall s', 'CPU s', 'peak RSS MiB', 'each run'],
    rows,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name: string) => optionValue(args, name);
  const variants = args.flatMap((a, i) => (a === '--variant' ? [parseVariant(args[i + 1]!)] : []));
  await runMemoryBench({
    jobs: value('--jobs')?.split(',') as Job[] | undefined,
    reps: value('--reps') ? Number(value('--reps')) : undefined,
    variants,
    vectorMaxZoom: value('--vector-max-zoom') ? Number(value('--vector-max-zoom')) : undefined,
  });
}
