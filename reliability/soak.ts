/**
 * Family 6, soak: many small jobs (verify of a tiny MBTiles, which goes through the whole engine:
 * store, scheduler, worker pool, events) through ONE engine, comparing the process's resources
 * once warm against the same at the end.
 *
 * Warm-up: the first jobs grow the process to its working size and no further: the worker threads
 * start with the first task (each its own V8 isolate and native modules), libuv's threadpool and
 * libvips' (sharp) spawn threads as work arrives, and the isolates' heaps, glibc's malloc arenas
 * and SQLite's page cache fill up. Measured on a 2-core machine with 3,000 jobs sampled every 250
 * (issue 12): RSS rose 150 → 350 MiB over the first 750 jobs and then stayed within 349–371 MiB to
 * job 3,000 (340–354 MiB with MALLOC_ARENA_MAX=2), the main JS heap flat, 31–33 fds throughout,
 * threads 14 → 20–22 by job 500 (24–26 by job 1,250 with the arena cap) and no more; closing the
 * engine gave back 130 MiB (the workers' share). Inside a full suite run (after the other families)
 * RSS went 383 → 463 MiB over the 1,000 warm-up jobs, then 465–471 MiB over the soak's 1,000.
 * A plateau, not a leak; but its first 750–1,000 jobs are growth that a comparison must not count.
 *
 * Rules: WARM_UP_JOBS (1,000) first, then the soak's own jobs (--soak-jobs, 1,000), sampling every
 * SAMPLE_EVERY jobs. "start" is the plateau the warm-up reached, "end" where the soak left it; each
 * is the median of three samples taken after two full GCs (node --expose-gc) and a 200 ms pause.
 * - RSS: end <= start x 1.10.
 * - open file descriptors (/proc/self/fd) and temp files (files under this process's own TMPDIR
 *   and the data directory's staging folder): end <= floor(start x 1.10), and an end of 0 when the
 *   start is 0. Integer counts: 10% of a small count is below one, so a count may not grow.
 * - OS threads of the process (/proc/self/status Threads: worker threads, libuv's and libvips'
 *   pools): compared once the pools have reached their size, so start is the most threads seen at
 *   any warm-up sample (pools that shrink when idle and grow again are not growth), and end <=
 *   floor(start x 1.10).
 * The samples in between are logged (and listed in a failure), so a slope can be told from noise.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { type Family, expect, pendingBackground, sleep } from './harness.js';

const WARM_UP_JOBS = 1000;
const SAMPLE_EVERY = 250;
const CONCURRENCY = 4;

interface Sample {
  rssMiB: number;
  /** Not a rule: shown so that an RSS growth can be told apart from a JS heap leak. */
  heapMiB: number;
  fds: number;
  threads: number;
  tempFiles: number;
}

export const soakFamily: Family = async (ctx, options) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    ctx.skip('soak', 'needs node --expose-gc (npm run test:reliability passes it)');
    return;
  }
  // Other families' background checks (the host's slow connections) hold sockets: let them end first.
  await Promise.all(pendingBackground);
  const dir = join(ctx.scratch, 'soak');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const previousTmp = process.env.TMPDIR;
  // Temp files the engine makes land here, where they can be counted apart from other processes'.
  process.env.TMPDIR = tmp;
  const cache = await tinyMbtiles(join(dir, 'tiny.mbtiles'));
  const dataDir = join(dir, 'data');
  const engine = await Engine.open({ dataDir, host: 'headless', holder: 'reliability soak', logger: createLogger('silent'), threads: 2 });
  try {
    await engine.handlers['settings.update']({ maxRunningJobs: 2 });
    /** Runs `count` jobs, CONCURRENCY at a time; a sample every SAMPLE_EVERY jobs into `trail`. */
    const runJobs = async (count: number, phase: string, trail: Sample[]) => {
      let next = 0;
      let done = 0;
      const failures: string[] = [];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < count; i = next++) {
            const job = await engine.start({ kind: 'verify', params: { cache } });
            const end = await engine.waitFor(job.id);
            if (end.state !== 'succeeded') failures.push(`job ${end.id} ended ${end.state}: ${end.error?.message ?? ''}`);
            if (++done % SAMPLE_EVERY === 0) {
              // Taken while the other submitters keep the pools busy: the pools at their working size.
              const s = await sample(gc, tmp, dataDir, 1);
              trail.push(s);
              ctx.log(`${phase} ${done}/${count}: ${format(s)}`);
            }
          }
        }),
      );
      return failures;
    };
    const warmTrail: Sample[] = [];
    await ctx.check(`warm-up: ${WARM_UP_JOBS} verify jobs`, 300_000, async () => {
      const failures = await runJobs(WARM_UP_JOBS, 'warm-up', warmTrail);
      expect(failures.length === 0, failures.slice(0, 3).join('; '));
    });
    const start = await sample(gc, tmp, dataDir);
    // The pools' size once warm: the most threads any warm-up sample saw (idle pools shrink).
    const warmThreads = Math.max(start.threads, ...warmTrail.map((t) => t.threads));
    ctx.log(`start: ${format(start)}; threads of the warmed-up pools: ${warmThreads}`);
    const t0 = performance.now();
    const soakTrail: Sample[] = [];
    await ctx.check(`${options.soakJobs} verify jobs through one engine succeed`, 600_000, async () => {
      const jobFailures = await runJobs(options.soakJobs, 'soak', soakTrail);
      expect(jobFailures.length === 0, `${jobFailures.length} failed; ${jobFailures.slice(0, 3).join('; ')}`);
    });
    ctx.log(`${options.soakJobs} jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const end = await sample(gc, tmp, dataDir);
    ctx.log(`end:   ${format(end)}`);
    const rssTrail = `RSS along the way (MiB, every ${SAMPLE_EVERY} jobs): warm-up ${warmTrail.map((t) => t.rssMiB.toFixed(0)).join(' ')} | soak ${soakTrail.map((t) => t.rssMiB.toFixed(0)).join(' ')}`;
    const within = (a: number, b: number) => (a === 0 ? b === 0 : b <= Math.floor(a * 1.1));
    await ctx.check(`RSS within 10% (${start.rssMiB.toFixed(1)} → ${end.rssMiB.toFixed(1)} MiB)`, 1000, async () =>
      expect(
        end.rssMiB <= start.rssMiB * 1.1,
        `RSS grew ${((end.rssMiB / start.rssMiB - 1) * 100).toFixed(1)}% after a warm-up of ${WARM_UP_JOBS} jobs; ${rssTrail}`,
      ),
    );
    await ctx.check(`open file descriptors within 10% (${start.fds} → ${end.fds})`, 1000, async () =>
      expect(within(start.fds, end.fds), `fds ${start.fds} → ${end.fds}`),
    );
    await ctx.check(`threads within 10% of the warmed-up pools (${warmThreads} → ${end.threads})`, 1000, async () =>
      expect(
        within(warmThreads, end.threads),
        `threads ${warmThreads} (most seen in the warm-up) → ${end.threads}; along the way ${[...warmTrail, ...soakTrail].map((t) => t.threads).join(' ')}`,
      ),
    );
    await ctx.check(`temp files within 10% (${start.tempFiles} → ${end.tempFiles})`, 1000, async () =>
      expect(within(start.tempFiles, end.tempFiles), `temp files ${start.tempFiles} → ${end.tempFiles}`),
    );
    ctx.note(rssTrail);
  } finally {
    await engine.close();
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
  }
};

/** The median of `n` samples (n = 3 for start and end, 1 along the way), each after two full GCs and a pause. */
async function sample(gc: () => void, tmp: string, dataDir: string, n = 3): Promise<Sample> {
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    gc();
    gc();
    await sleep(200);
    samples.push({
      rssMiB: process.memoryUsage().rss / 1024 / 1024,
      heapMiB: process.memoryUsage().heapUsed / 1024 / 1024,
      fds: readdirSync('/proc/self/fd').length,
      threads: Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0),
      tempFiles: countFiles(tmp) + countFiles(join(dataDir, 'staging')),
    });
  }
  const median = (k: keyof Sample) => samples.map((s) => s[k]).sort((a, b) => a - b)[Math.floor(n / 2)]!;
  return { rssMiB: median('rssMiB'), heapMiB: median('heapMiB'), fds: median('fds'), threads: median('threads'), tempFiles: median('tempFiles') };
}

function countFiles(dir: string): number {
  let n = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e);
    n += statSync(p).isDirectory() ? countFiles(p) : 1;
  }
  return n;
}

function format(s: Sample): string {
  return `RSS ${s.rssMiB.toFixed(1)} MiB (JS heap ${s.heapMiB.toFixed(1)} MiB), ${s.fds} fds, ${s.threads} threads, ${s.tempFiles} temp files`;
}

/** An MBTiles of 21 PNG tiles (z0–2), written directly: the smallest real cache a verify job reads. */
async function tinyMbtiles(path: string): Promise<string> {
  const db = new Database(path);
  try {
    db.exec(
      'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB); CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);',
    );
    const meta = db.prepare('INSERT INTO metadata VALUES (?, ?)');
    for (const [k, v] of Object.entries({ name: 'soak', format: 'png', minzoom: '0', maxzoom: '2', bounds: '-180,-85,180,85', type: 'baselayer' }))
      meta.run(k, v);
    const insert = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)');
    for (let z = 0; z <= 2; z++)
      for (let x = 0; x < 1 << z; x++)
        for (let y = 0; y < 1 << z; y++) {
          const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 40 * z, g: 20 * x, b: 20 * y } } })
            .png()
            .toBuffer();
          insert.run(z, x, y, png);
        }
  } finally {
    db.close();
  }
  return path;
}
