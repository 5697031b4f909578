/**
 * Scale-out bench: the same Blue Marble raster preseed (z0–6 by default) run
 *   1. in-process, the CLI pinned to one core (taskset -c 0);
 *   2. through BullMQ with one `tessera worker` pinned to core 0 (the engine on core 1: it writes);
 *   3. through BullMQ with two workers pinned to cores 0 and 1;
 * plus the per-task round trip of a one-tile verify task, in-process pool against the queue (one
 * worker), and Redis's peak memory (INFO memory, a fresh redis-server per run). Medians of --reps
 * runs. Every run's tiles are compared with the first in-process run's (count and digest): a
 * faster run that made other tiles is an error, not a result.
 *
 * `--vector`: the same three modes for a vector preseed instead (Natural Earth states_provinces
 * from world_map.gpkg, z0–8 by default): the engine reads and splits the source, the workers cut
 * and encode its partitions; no round-trip or cancel part.
 *
 *   node dist/bench/scale-out-bench.js [--reps 3] [--max-zoom 6] [--round-trips 200]
 *   node dist/bench/scale-out-bench.js --vector [--reps 3] [--max-zoom 8]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createLogger } from '../main/logging/logger.js';
import { WorkerPool } from '../main/pool/worker-pool.js';
import { QueuePool } from '../main/queue/queue-pool.js';
import { NO_REDIS, TestRedis } from '../main/queue/testing/redis-server.js';
import { Engine } from '../main/engine/engine.js';
import { blueMarbleTif, largeRasterMbtiles, worldMapGpkg } from '../main/testing/real-data.js';
import { cancelTrials } from './cancel-trials.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const REPS = arg('reps', 3);
const VECTOR = process.argv.includes('--vector');
const MAX_ZOOM = arg('max-zoom', VECTOR ? 8 : 6);
const ROUND_TRIPS = arg('round-trips', 200);
const CANCEL_TRIALS = arg('cancel-trials', 20);
/** `--cancel-only`: only the cancel latency (no preseed runs, no round trips). */
const CANCEL_ONLY = process.argv.includes('--cancel-only');
const BIN = fileURLToPath(new URL('../main/cli/bin.js', import.meta.url));
const WORKER_FILE = fileURLToPath(new URL('../workers/pool-entry.js', import.meta.url));

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.slice(1).map(line).join('\n')}`);
}

function digest(mbtiles: string): string {
  const db = new Database(mbtiles, { readonly: true });
  try {
    const hash = createHash('sha256');
    let n = 0;
    for (const row of db.prepare('SELECT zoom_level z, tile_column x, tile_row y, tile_data d FROM tiles ORDER BY z, x, y').iterate() as Iterable<{
      z: number;
      x: number;
      y: number;
      d: Buffer;
    }>) {
      hash.update(`${row.z}/${row.x}/${row.y}:`).update(row.d);
      n++;
    }
    return `${n}:${hash.digest('hex').slice(0, 16)}`;
  } finally {
    db.close();
  }
}

function run(cmd: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TESSERA_LOG_LEVEL: 'warn', ...env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd.join(' ')} exited ${code}: ${stderr}`))));
  });
}

async function startWorker(url: string, core: number, name: string): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', String(core), process.execPath, BIN, 'worker', '--queue', url, '--concurrency', '1', '--name', name], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Mode {
  name: string;
  workers: number[];
}

async function main(): Promise<void> {
  if (NO_REDIS) throw new Error(NO_REDIS);
  if (spawnSync('taskset', ['-V']).status !== 0) throw new Error('taskset is missing (util-linux)');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-scale-out-bench-'));
  const redis = await TestRedis.start();
  const modes: Mode[] = [
    { name: 'in-process, 1 core', workers: [] },
    { name: 'BullMQ, 1 worker (1 core)', workers: [0] },
    { name: 'BullMQ, 2 workers (2 cores)', workers: [0, 1] },
  ];
  const seconds = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  const peaks = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  let expected: string | null = null;
  let runs = 0;
  try {
    if (CANCEL_ONLY) {
      await cancelLatency(dir, redis);
      return;
    }
    for (let rep = 0; rep < REPS; rep++) {
      for (const mode of modes) {
        await redis.restart(); // a fresh peak per run
        const workers: ChildProcess[] = [];
        for (const core of mode.workers) workers.push(await startWorker(redis.url, core, `bench-${core}`));
        const dataDir = join(dir, `run-${++runs}`);
        mkdirSync(dataDir);
        const output = join(dataDir, 'out.mbtiles');
        const job = VECTOR ? ['vector', worldMapGpkg(), '--layer', 'states_provinces'] : ['raster', blueMarbleTif()];
        const cli = [process.execPath, BIN, 'preseed', ...job, '--zoom', `0-${MAX_ZOOM}`, '-o', output, '--data-dir', dataDir];
        const pinned = mode.workers.length === 0 ? ['taskset', '-c', '0', ...cli] : mode.workers.length === 1 ? ['taskset', '-c', '1', ...cli] : cli;
        const t0 = performance.now();
        await run(mode.workers.length === 0 ? pinned : [...pinned, '--queue', redis.url]);
        seconds.get(mode.name)!.push((performance.now() - t0) / 1000);
        if (mode.workers.length > 0) peaks.get(mode.name)!.push(redis.peakMemory());
        for (const w of workers) await stop(w);
        const got = digest(output);
        expected ??= got;
        if (got !== expected) throw new Error(`${mode.name}: tiles ${got} differ from the in-process run's ${expected}`);
        rmSync(dataDir, { recursive: true, force: true });
        console.error(`rep ${rep + 1}/${REPS} ${mode.name}: ${seconds.get(mode.name)!.at(-1)!.toFixed(1)} s`);
      }
    }
    const tiles = Number(expected!.split(':')[0]);
    const base = median(seconds.get(modes[0]!.name)!);
    const one = median(seconds.get(modes[1]!.name)!);
    const what = VECTOR ? `Natural Earth states_provinces z0–${MAX_ZOOM} vector preseed` : `Blue Marble z0–${MAX_ZOOM} raster preseed`;
    table(
      `${what} (${tiles.toLocaleString('en-US')} tiles, same digest in every run), medians of ${REPS}`,
      ['mode', 'seconds', 'tiles/s', '× in-process', '× 1 worker', 'Redis peak MiB'],
      modes.map((m) => {
        const s = median(seconds.get(m.name)!);
        const peak = peaks.get(m.name)!;
        return [
          m.name,
          s.toFixed(1),
          (tiles / s).toFixed(0),
          (base / s).toFixed(2),
          (one / s).toFixed(2),
          peak.length ? (median(peak) / 1024 ** 2).toFixed(1) : '—',
        ];
      }),
    );
    if (VECTOR) return;

    // Per-task round trip: a one-tile verify, one at a time, through each pool.
    await redis.restart();
    const worker = await startWorker(redis.url, 0, 'bench-rt');
    const logger = createLogger('silent');
    const local = new WorkerPool({ filename: WORKER_FILE, threads: 1 });
    const queue = new QueuePool({ url: redis.url, local: new WorkerPool({ filename: WORKER_FILE, threads: 1 }), logger });
    const tile = new Uint8Array(
      Buffer.from(
        '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f7a8b00000000049454e44ae426082',
        'hex',
      ),
    );
    const trips = async (pool: Pick<WorkerPool, 'run'>) => {
      const times: number[] = [];
      for (let i = 0; i < ROUND_TRIPS + 10; i++) {
        const t0 = performance.now();
        await pool.run('verifyTiles', { tiles: [{ z: 0, x: 0, y: 0, data: tile.slice() }], format: 'png', maxTileBytes: 1_000_000 });
        if (i >= 10) times.push(performance.now() - t0); // the first ten warm threads and connections
      }
      return times;
    };
    const inProcess = await trips(local);
    const queued = await trips(queue);
    table(
      `Per-task round trip: a one-tile verify task, one at a time (${ROUND_TRIPS} tasks after 10 to warm up)`,
      ['pool', 'p50 ms', 'p90 ms', 'overhead p50 ms'],
      [
        ['in-process (piscina)', median(inProcess).toFixed(2), pct(inProcess, 90).toFixed(2), '—'],
        ['BullMQ, 1 worker', median(queued).toFixed(2), pct(queued, 90).toFixed(2), (median(queued) - median(inProcess)).toFixed(2)],
      ],
    );
    await queue.destroy();
    await local.destroy();
    await stop(worker);
    await cancelLatency(dir, redis);
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Cancel → `cancelled` of a verify (20,000 PNG tiles) whose batches two workers decode, cancelled
 * after a random share of the work: the engine's side of a cancel that crosses processes.
 */
async function cancelLatency(dir: string, redis: TestRedis): Promise<void> {
  await redis.restart();
  const cache = largeRasterMbtiles(dir, 20_000);
  const workers = [await startWorker(redis.url, 0, 'cancel-0'), await startWorker(redis.url, 1, 'cancel-1')];
  const engine = await Engine.open({ dataDir: join(dir, 'cancel'), host: 'headless', queue: redis.url, logger: createLogger('warn') });
  let latencies: number[];
  try {
    latencies = await cancelTrials(engine, cache, CANCEL_TRIALS);
  } finally {
    await engine.close();
    for (const w of workers) await stop(w);
  }
  table(
    `Cancel latency through the queue (2 workers): cancel → job "cancelled", verify of 20,000 PNG tiles (${CANCEL_TRIALS} trials)`,
    ['p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'target p99'],
    [[median(latencies).toFixed(0), pct(latencies, 90).toFixed(0), pct(latencies, 99).toFixed(0), Math.max(...latencies).toFixed(0), '< 250']],
  );
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

await main();
