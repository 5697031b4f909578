/**
 * Engine benchmarks on a real-tile cache (the SRTM hillshade's PNG tiles repeated over a large grid):
 *  1. cancel latency: cancel a running verify at a random moment, time until the job is `cancelled`
 *     (target: p99 under 250 ms);
 *  2. the engine's overhead per task: the same verify through the engine (store, scheduler, pool,
 *     checkpoints, progress) against calling the worker function directly on the same batches.
 * Set-up (fixtures, engine start) is outside every timing. Prints tables; writes nothing to the repo.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { largeRasterMbtiles } from '../main/testing/real-data.js';
import { Engine } from '../main/engine/engine.js';
import { cancelTrials } from './cancel-trials.js';
import { createLogger } from '../main/logging/logger.js';
import { openTileCache } from '../main/tile-cache/open-tile-cache.js';
import { verifyTiles } from '../workers/verify-tiles.js';

const TILES = Number(process.env.BENCH_TILES ?? 20_000);
const TRIALS = Number(process.env.BENCH_CANCEL_TRIALS ?? 40);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.slice(1).map(line).join('\n')}`);
}

async function cancelLatency(dir: string, cache: string): Promise<void> {
  const engine = await Engine.open({ dataDir: join(dir, 'cancel'), host: 'headless', logger: createLogger('warn') });
  let latencies: number[];
  try {
    latencies = await cancelTrials(engine, cache, TRIALS);
  } finally {
    await engine.close();
  }
  latencies.sort((a, b) => a - b);
  table(
    `Cancel latency: cancel → job state "cancelled", during a verify of ${TILES.toLocaleString()} PNG tiles (${TRIALS} trials)`,
    ['p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'target p99'],
    [
      [
        percentile(latencies, 50).toFixed(1),
        percentile(latencies, 90).toFixed(1),
        percentile(latencies, 99).toFixed(1),
        latencies.at(-1)!.toFixed(1),
        '< 250 ms',
      ],
    ],
  );
}

async function overhead(dir: string, cache: string): Promise<void> {
  const reader = await openTileCache(cache);
  const batches: { z: number; x: number; y: number; data: Uint8Array }[][] = [];
  let after: { x: number; y: number } | null = null;
  for (;;) {
    const tiles = await reader.readBatch(16, after, 64);
    if (tiles.length === 0) break;
    batches.push(tiles.map((t) => ({ z: t.z, x: t.x, y: t.y, data: t.data.slice() })));
    after = { x: tiles.at(-1)!.x, y: tiles.at(-1)!.y };
  }
  await reader.close();

  const t0 = performance.now();
  for (const tiles of batches) await verifyTiles({ tiles, format: 'png', maxTileBytes: 512_000 });
  const direct = performance.now() - t0;

  const rows: (string | number)[][] = [['direct call, main thread', 1, batches.length, direct.toFixed(0), (TILES / (direct / 1000)).toFixed(0), '–']];
  for (const threads of [1, 2]) {
    const engine = await Engine.open({ dataDir: join(dir, `overhead-${threads}`), host: 'headless', threads, logger: createLogger('warn') });
    try {
      const t1 = performance.now();
      const job = await engine.start({ kind: 'verify', params: { cache } });
      const final = await engine.waitFor(job.id);
      const ms = performance.now() - t1;
      if (final.state !== 'succeeded' || final.progress.done !== TILES) throw new Error(`engine verify ended ${final.state} with ${final.progress.done} tiles`);
      const perTask = `${(((ms - direct) / batches.length) * 1000).toFixed(0)} µs`;
      rows.push([`engine, ${threads} worker thread(s)`, threads, batches.length, ms.toFixed(0), (TILES / (ms / 1000)).toFixed(0), perTask]);
    } finally {
      await engine.close();
    }
  }
  table(
    `Engine overhead: verify of ${TILES.toLocaleString()} PNG tiles in tasks of 64 tiles`,
    ['run', 'threads', 'tasks', 'wall ms', 'tiles/s', '(engine − direct) per task'],
    rows,
  );
  // The engine's time includes the store, scheduler, checkpoints and messaging; it can still come
  // out below the direct loop because it reads the next batches while workers decode.
  console.log('A negative difference: the engine pipelines reading with decoding, which the direct loop cannot.');
}

export async function runEngineBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  try {
    const cache = largeRasterMbtiles(dir, TILES);
    await overhead(dir, cache);
    await cancelLatency(dir, cache);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
